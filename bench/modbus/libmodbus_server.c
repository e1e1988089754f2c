/* Reference server for the Modbus TCP benchmark: libmodbus serving 1000 holding registers
 * (and coils, inputs) to one connection at a time, the way its own examples do; the next
 * connection is accepted when the previous one closes. Prints "LISTENING <port>" once bound.
 * Usage: libmodbus_server PORT   (0 picks a free port) */
#include <arpa/inet.h>
#include <errno.h>
#include <modbus.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
    modbus_mapping_t *map = modbus_mapping_new(1000, 1000, 1000, 1000);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "setup failed: %s\n", modbus_strerror(errno));
        return 1;
    }
    for (int i = 0; i < 1000; i++) {
        map->tab_registers[i] = (uint16_t)i;
    }
    int listener = modbus_tcp_listen(ctx, 16);
    if (listener == -1) {
        fprintf(stderr, "listen failed: %s\n", modbus_strerror(errno));
        return 1;
    }
    struct sockaddr_in bound;
    socklen_t length = sizeof bound;
    getsockname(listener, (struct sockaddr *)&bound, &length);
    printf("LISTENING %d\n", ntohs(bound.sin_port));
    fflush(stdout);
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    for (;;) {
        if (modbus_tcp_accept(ctx, &listener) == -1) {
            fprintf(stderr, "accept failed: %s\n", modbus_strerror(errno));
            return 1;
        }
        for (;;) {
            int received = modbus_receive(ctx, query);
            if (received > 0) {
                modbus_reply(ctx, query, received, map);
            } else if (received == -1) {
                break; /* connection closed: wait for the next client */
            }
        }
        close(modbus_get_socket(ctx));
        modbus_set_socket(ctx, -1);
    }
}
