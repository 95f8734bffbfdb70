namespace YahooStreamingBenchmark;

/// <summary>One row of the static table: an ad and the campaign it belongs to.</summary>
public sealed record AdCampaign(Guid AdId, Guid CampaignId);

/// <summary>The benchmark's campaigns: 100 campaigns of 10 ads each, as the original generates.</summary>
public static class Campaigns
{
    public const int CampaignCount = 100;

    public const int AdsPerCampaign = 10;

    /// <summary>The ad-to-campaign table, the same for every run with the same seed.</summary>
    public static AdCampaign[] Create(int seed = 2015)
    {
        var random = new Random(seed);
        var table = new List<AdCampaign>(CampaignCount * AdsPerCampaign);
        for (var c = 0; c < CampaignCount; c++)
        {
            var campaign = NewGuid(random);
            for (var a = 0; a < AdsPerCampaign; a++)
            {
                table.Add(new AdCampaign(NewGuid(random), campaign));
            }
        }

        return [.. table];
    }

    internal static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
