namespace NackaInsights.Bench.Tests;

/// <summary>The median and range the benchmark gives each figure, from numbers made up here.</summary>
public sealed class FigureFacts
{
    [Fact]
    public void An_odd_count_has_the_middle_value_as_its_median_whatever_the_order()
    {
        var figure = Figure.Of([7.0, 1.0, 3.0]);

        Assert.Equal(new Figure(3.0, 1.0, 7.0, 3), figure);
    }

    [Fact]
    public void An_even_count_has_the_mean_of_the_two_middle_values_as_its_median()
    {
        var figure = Figure.Of([4.0, 10.0, 2.0, 6.0]);

        Assert.Equal(5.0, figure.Median);
        Assert.Equal(2.0, figure.Min);
        Assert.Equal(10.0, figure.Max);
        Assert.Equal(4, figure.Count);
    }

    [Fact]
    public void One_run_is_a_figure_without_a_range()
    {
        var figure = Figure.Of([2.5]);

        Assert.Equal(new Figure(2.5, 2.5, 2.5, 1), figure);
        Assert.True(figure.Single);
        Assert.Equal("2.50 s", MacroBenchmark.Show(figure, s => s.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " s"));
    }

    [Fact]
    public void No_run_is_no_figure()
    {
        Assert.Throws<ArgumentException>(() => Figure.Of([]));
    }

    [Fact]
    public void A_ratio_is_the_medians_over_each_other_within_the_widest_range_the_two_allow()
    {
        var peer = Figure.Of([30.0, 40.0, 60.0]);
        var refresh = Figure.Of([5.0, 8.0, 10.0]);

        var speedup = peer.Over(refresh);

        Assert.Equal(5.0, speedup.Median);
        // Slowest peer over the fastest refresh is the most; the fastest peer over the slowest refresh the least.
        Assert.Equal(3.0, speedup.Min);
        Assert.Equal(12.0, speedup.Max);
        Assert.False(speedup.Single);
    }

    [Fact]
    public void A_figure_shows_its_median_then_its_range()
    {
        var figure = Figure.Of([1.234, 0.9, 1.5]);

        Assert.Equal("1.23 s (0.90 s–1.50 s)", MacroBenchmark.Show(figure, s => s.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " s"));
    }
}
