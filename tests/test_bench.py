"""The bench's table: each figure beside its goal, the verdicts right, and the interleaved runner fair (the
stack itself runs in `make bench`)."""

from bench.goals import Row, interleaved, missed, ratio_row, table


def test_each_figure_is_beside_its_goal_with_its_verdict():
    rows = [Row("Card frame on the wire", "9.1 KB", 9.1, 10, unit=" KB"),
            Row("Flows per second, 8 clients", "0.85", 0.85, 0.9, at_least=True),
            Row("mount() to ready", "200 ms")]
    markdown = table(rows, "Measured today.")
    assert markdown.startswith("Measured today.\n")
    assert "| Card frame on the wire | 9.1 KB | ≤ 10 KB | met |" in markdown
    assert "| Flows per second, 8 clients | 0.85 | ≥ 0.9× | **missed** |" in markdown
    assert "| mount() to ready | 200 ms |  |  |" in markdown
    assert [r.figure for r in missed(rows)] == ["Flows per second, 8 clients"]


def test_a_ratio_row_compares_medians():
    row = ratio_row("submit to token", [10, 30, 20], [10, 11, 9], 1.2)
    assert row.value == 2.0 and row.met is False and "**2.00**" in row.measured
    assert ratio_row("flows", [95, 100], [100, 100], 0.9, at_least=True).met is True


def test_interleaving_alternates_who_goes_first_and_skips_the_warmup():
    order = []
    ours = lambda: order.append("a") or 1.0  # noqa: E731
    reference = lambda: order.append("b") or 2.0  # noqa: E731
    a, b = interleaved(3, ours, reference, warmup=1)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert a == [1.0, 1.0, 1.0] and b == [2.0, 2.0, 2.0]
