using System.CommandLine;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Service.Dashboard;

namespace NackaInsights.Etl.Tests.Service.Dashboard;

/// <summary>The dashboard users' password hashes and the command that makes them.</summary>
public sealed class DashboardPasswordFacts
{
    private const int Iterations = PasswordHasher.MinIterations;

    [Fact]
    public void AHash_VerifiesTheRightPassword_AndRejectsAWrongOne()
    {
        var hash = PasswordHasher.Hash("Rätt lösen 123", Iterations);

        Assert.True(PasswordHasher.Verify("Rätt lösen 123", hash));
        Assert.False(PasswordHasher.Verify("rätt lösen 123", hash));
        Assert.False(PasswordHasher.Verify("Rätt lösen 12", hash));
        Assert.False(PasswordHasher.Verify("", hash));
    }

    [Fact]
    public void TwoHashesOfOnePassword_HaveDifferentSalts_AndBothVerify()
    {
        var first = PasswordHasher.Hash("hemligt", Iterations);
        var second = PasswordHasher.Hash("hemligt", Iterations);

        Assert.NotEqual(first.Split('$')[2], second.Split('$')[2]);
        Assert.NotEqual(first.Split('$')[3], second.Split('$')[3]);
        Assert.True(PasswordHasher.Verify("hemligt", first));
        Assert.True(PasswordHasher.Verify("hemligt", second));
    }

    [Fact]
    public void AHash_IsWrittenInTheDocumentedFormat_WithTheDefaultIterations()
    {
        var parts = PasswordHasher.Hash("hemligt").Split('$');

        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal("600000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hemligt")]
    [InlineData("sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$many$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$inte base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")]
    [InlineData("pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$extra")]
    public void AMalformedHash_IsNotWellFormed_AndVerifiesNoPassword(string hash)
    {
        Assert.False(PasswordHasher.IsWellFormed(hash, out var problem));
        Assert.NotEmpty(problem);
        Assert.False(PasswordHasher.Verify("hemligt", hash));
    }

    [Fact]
    public async Task HashPassword_ReadsThePasswordFromStandardInput_AndPrintsAHashThatVerifiesIt()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var root = new RootCommand { HashPasswordCommand.Create(stdout, stderr, new StringReader("Vår hemlighet 2024\n")) };

        var exit = await root.Parse(["hash-password"]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, exit);
        var hash = stdout.ToString().Trim();
        Assert.True(PasswordHasher.IsWellFormed(hash, out var problem), problem);
        Assert.True(PasswordHasher.Verify("Vår hemlighet 2024", hash));
        Assert.Contains($"DashboardOptions__Users__0__PasswordHash='{hash}'", stderr.ToString());
        Assert.DoesNotContain("Vår hemlighet", stdout + stderr.ToString());
    }

    [Fact]
    public async Task HashPassword_RefusesAnEmptyPassword()
    {
        var stdout = new StringWriter();
        var root = new RootCommand { HashPasswordCommand.Create(stdout, new StringWriter(), new StringReader("")) };

        var error = await Assert.ThrowsAsync<UsageException>(() => root.Parse(["hash-password"]).InvokeAsync(
            new InvocationConfiguration { EnableDefaultExceptionHandler = false }, TestContext.Current.CancellationToken));

        Assert.Contains("No password", error.Message);
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public void HashPassword_TakesNoPasswordArgument()
    {
        var root = new RootCommand { HashPasswordCommand.Create(new StringWriter(), new StringWriter(), new StringReader("x\n")) };

        Assert.NotEmpty(root.Parse(["hash-password", "hemligt"]).Errors);
    }
}
