using Azure.Core;

namespace NackaInsights.TestSupport;

/// <summary>A credential that hands out one fixed token: what the fake Graph server accepts.</summary>
public sealed class FixedTokenCredential(string token = FakeGraphServer.AccessToken) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(token, DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
