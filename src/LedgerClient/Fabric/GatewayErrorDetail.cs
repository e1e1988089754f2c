namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// One endpoint's error as reported by the Fabric Gateway in the status details
/// (<c>gateway.ErrorDetail</c>): which peer or orderer failed and what it said.
/// </summary>
/// <param name="Address">Address of the endorsing peer or orderer.</param>
/// <param name="MspId">MSP id of that endpoint's organisation.</param>
/// <param name="Message">The endpoint's error message (for chaincode failures, "chaincode response 500, ...").</param>
internal sealed record GatewayErrorDetail(string Address, string MspId, string Message);
