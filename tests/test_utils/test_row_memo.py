"""RowMemo: a frozen network's per-row outputs looked up by content, computed only for rows not seen before."""
import pytest
import torch

from glyphsr_mm.utils.row_memo import RowMemo


class CountingNet:
    """Row-wise function (a fixed linear map) that records how many rows it computed."""

    def __init__(self):
        self.weight = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
        self.rows = 0

    def __call__(self, x, idx):
        self.rows += x.shape[0]
        y = x.flatten(1) @ self.weight
        return y, y.sum(1)


def test_seen_rows_are_looked_up_and_results_match_the_whole_batch():
    net, memo = CountingNet(), RowMemo(1 << 20)
    a = torch.randn(4, 2, 3)
    b = torch.cat([a[2:], torch.randn(3, 2, 3), a[:1]])  # 3 seen rows, 3 new, in another order
    first = memo(net, a)
    assert net.rows == 4 and len(memo) == 4
    second = memo(net, b)
    assert net.rows == 7 and (memo.hits, memo.misses) == (3, 7)
    full = net(b, list(range(6)))
    for got, want in zip(second, full):
        torch.testing.assert_close(got, want)
    torch.testing.assert_close(first[0], net(a, None)[0])


def test_a_changed_row_or_another_extra_key_is_a_miss():
    net, memo = CountingNet(), RowMemo(1 << 20)
    a = torch.randn(2, 2, 3)
    memo(net, a, extra_keys=['ab', 'cd'])
    changed = a.clone()
    changed[0, 0, 0] += 1e-6  # any augmentation changes the key
    memo(net, changed, extra_keys=['ab', 'cd'])
    memo(net, a, extra_keys=['ab', 'xx'])
    assert net.rows == 2 + 1 + 1


def test_memory_budget_evicts_the_least_recently_used_rows():
    net = CountingNet()
    row_bytes = (3 + 1) * 4  # the two outputs of one row, float32
    memo = RowMemo(3 * row_bytes)
    x = torch.randn(4, 2, 3)
    memo(net, x[:3])
    memo(net, x[:1])  # row 0 used again: row 1 is now the oldest
    memo(net, x[3:])
    assert len(memo) == 3 and memo.nbytes == 3 * row_bytes
    net.rows = 0
    memo(net, x[[0, 2, 3]])
    assert net.rows == 0
    memo(net, x[1:2])
    assert net.rows == 1


def test_zero_budget_always_computes():
    net, memo = CountingNet(), RowMemo(0)
    x = torch.randn(3, 2, 3)
    memo(net, x)
    memo(net, x)
    assert net.rows == 6 and len(memo) == 0
    with pytest.raises(ValueError, match='max_bytes'):
        RowMemo(-1)
