"""The weights shipped in checkpoints/ load into their recognizer and do their job: the width-0.125 TBSRN
transformer reads synthetic HR words it never saw (a seed the training set did not use)."""
import os

import numpy as np
import torch

from tests.conftest import ROOT

TBSRN = os.path.join(ROOT, 'checkpoints', 'tbsrn_transformer_w0.125_synthetic.pth')


def test_shipped_tbsrn_w0125_reads_unseen_synthetic_words():
    from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
    from glyphsr_mm.evaluation import is_match
    from glyphsr_mm.models.recognizers import TBSRNTransformerRecognizer
    rec = TBSRNTransformerRecognizer(width=0.125, num_heads=8, feature_pe=True, checkpoint=TBSRN).eval()
    rng = np.random.default_rng(12345)  # not a seed of the shipped model's data (seed 0)
    renderer = SyntheticTextRenderer()
    samples = [renderer.render(rng, 'easy') for _ in range(48)]
    images = torch.from_numpy(np.stack([s.hr for s in samples])).permute(0, 3, 1, 2).float() / 255
    words = rec.predict(images)
    right = sum(is_match(w, s.label, 'textzoom') for w, s in zip(words, samples))
    assert right >= 0.75 * len(samples), list(zip(words, [s.label for s in samples]))
    noise = torch.rand(8, 3, 32, 128, generator=torch.Generator().manual_seed(0))
    assert sum(is_match(w, s.label, 'textzoom') for w, s in zip(rec.predict(noise), samples)) == 0
