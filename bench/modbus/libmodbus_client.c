/* Reference client for the Modbus TCP benchmark: libmodbus reading holding registers in a
 * loop, one request in flight. Prints one result line:
 *   RESULT reads=<n> seconds=<s> cpu_us=<u> p50_us=<x> p99_us=<y>
 * cpu_us is this process's user + system CPU time during the measured window (getrusage).
 * A line "START" is printed (and flushed) when the measured window opens, so that the runner
 * can sample the server's CPU time at the same moment.
 * Usage: libmodbus_client HOST PORT SECONDS UNIT COUNT */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT SECONDS UNIT COUNT\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[3]);
    int unit = atoi(argv[4]);
    int count = atoi(argv[5]);
    modbus_t *ctx = modbus_new_tcp(argv[1], atoi(argv[2]));
    if (ctx == NULL || modbus_connect(ctx) == -1) {
        fprintf(stderr, "connect failed: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, unit);
    /* The machine is shared: a slow answer is measured, not an error. */
    modbus_set_response_timeout(ctx, 5, 0);
    uint16_t registers[125];
    size_t capacity = 1 << 20, n = 0;
    double *latencies = malloc(capacity * sizeof(double));
    /* Warm-up: let both sides settle before measuring. */
    for (int i = 0; i < 200; i++) {
        modbus_read_registers(ctx, 0, count, registers);
    }
    printf("START\n");
    fflush(stdout);
    double cpu_start = cpu_us();
    double start = now_us(), end = start + seconds * 1e6, t = start;
    while (t < end) {
        double before = now_us();
        if (modbus_read_registers(ctx, 0, count, registers) != count) {
            fprintf(stderr, "read failed: %s\n", modbus_strerror(errno));
            return 1;
        }
        t = now_us();
        if (n == capacity) {
            capacity *= 2;
            latencies = realloc(latencies, capacity * sizeof(double));
        }
        latencies[n++] = t - before;
    }
    double cpu = cpu_us() - cpu_start;
    double elapsed = (t - start) / 1e6;
    qsort(latencies, n, sizeof(double), compare);
    printf("RESULT reads=%zu seconds=%.6f cpu_us=%.0f p50_us=%.1f p99_us=%.1f\n",
           n, elapsed, cpu, latencies[n / 2], latencies[(size_t)(n * 0.99)]);
    modbus_close(ctx);
    modbus_free(ctx);
    free(latencies);
    return 0;
}
