using Gateway.Rigs;
using Gateway.Testing.Fabric;

namespace Gateway.Host.Tests.Ledger;

/// <summary>The shipped Fabric rigs (simple and three-channel design) load against a lab network's work folder, named by ${FABRIC_LAB}.</summary>
[Collection(nameof(FabricLabEnvironment))]
public sealed class FabricRigFilesTests : IDisposable
{
    private readonly string _lab = Directory.CreateTempSubdirectory("fabric-lab-").FullName;
    private readonly string? _before = Environment.GetEnvironmentVariable("FABRIC_LAB");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("FABRIC_LAB", _before);
        Directory.Delete(_lab, recursive: true);
    }

    private static string RepoFile(params string[] parts) => Repository.PathOf(parts);

    /// <summary>Org1's TLS CA and User1's certificate and key where the lab's cryptogen puts them.</summary>
    private void LayOutLab()
    {
        using var pki = new TestPki();
        var org = Path.Combine(_lab, "net", "crypto", "peerOrganizations", "org1.example.com");
        var msp = Path.Combine(org, "users", "User1@org1.example.com", "msp");
        foreach (var dir in new[] { Path.Combine(org, "tlsca"), Path.Combine(msp, "signcerts"), Path.Combine(msp, "keystore") }) Directory.CreateDirectory(dir);
        File.Copy(pki.TlsCa.CertificatePath, Path.Combine(org, "tlsca", "tlsca.org1.example.com-cert.pem"));
        File.Copy(pki.Client.CertificatePath, Path.Combine(msp, "signcerts", "User1@org1.example.com-cert.pem"));
        File.Copy(pki.Client.PrivateKeyPath, Path.Combine(msp, "keystore", "priv_sk"));
    }

    [Fact]
    public void The_three_channel_rig_puts_each_stream_on_its_own_channel_and_contract()
    {
        LayOutLab();
        Environment.SetEnvironmentVariable("FABRIC_LAB", _lab);

        var rig = RigLoader.Load(RepoFile("hil-rigs", "fabric-3ch"));

        var fabric = rig.Ledger.Fabric!;
        Assert.Equal("fabric", rig.Ledger.Kind);
        Assert.Equal(("txmain", "settlement"), (fabric.Channel, fabric.Chaincode));
        Assert.Equal(new RigFabricChannel("matching", "matching"), fabric.Matching);
        Assert.Equal(new RigFabricChannel("electricity", "electricity"), fabric.Electricity);
        Assert.Equal(16, fabric.RoundsInFlight);
        Assert.StartsWith(_lab, fabric.PrivateKeyPath);
        Assert.Equal(RigLoader.Load(RepoFile("hil-rigs", "demo")).Devices.Select(d => d.Id), rig.Devices.Select(d => d.Id));
    }

    [Fact]
    public void The_simple_rig_keeps_the_side_chains_in_the_embedded_file()
    {
        LayOutLab();
        Environment.SetEnvironmentVariable("FABRIC_LAB", _lab);

        var rig = RigLoader.Load(RepoFile("hil-rigs", "fabric-demo"));

        Assert.Equal("settlement-channel", rig.Ledger.Fabric!.Channel);
        Assert.Null(rig.Ledger.Fabric.Matching);
        Assert.Null(rig.Ledger.Fabric.Electricity);
        Assert.EndsWith("fabric-demo-ledger.db", rig.Ledger.EmbeddedPath);
    }

    [Fact]
    public void Without_the_lab_variable_the_rig_names_what_is_missing()
    {
        Environment.SetEnvironmentVariable("FABRIC_LAB", null);

        var error = Assert.Throws<RigFileException>(() => RigLoader.Load(RepoFile("hil-rigs", "fabric-3ch")));

        Assert.Contains("ledger.fabric.privateKey", error.Message);
        Assert.Contains("environment variable FABRIC_LAB, which is not set", error.Message);
    }

    [Fact]
    public void A_lab_folder_without_the_crypto_material_is_named_per_file()
    {
        Environment.SetEnvironmentVariable("FABRIC_LAB", _lab);

        var error = Assert.Throws<RigFileException>(() => RigLoader.Load(RepoFile("hil-rigs", "fabric-demo")));

        Assert.Contains("ledger.fabric.tlsCa", error.Message);
        Assert.Contains("not found", error.Message);
    }
}

/// <summary>Tests that set FABRIC_LAB run one at a time.</summary>
[CollectionDefinition(nameof(FabricLabEnvironment), DisableParallelization = true)]
public sealed class FabricLabEnvironment;
