"""Segment Anything for small text crops: batched image encoding, canvas tiling, batched point prompts.

A 32 x 128 crop becomes 256 x 1024 inside SAM's 1024 x 1024 input (``ResizeLongestSide``, as ``SamPredictor``).
:class:`SAMPrompter` does what ``SamPredictor.set_image`` + one ``predict`` per point does, but

- encodes several images per image-encoder call (``encoder_batch``);
- optionally tiles ``1024 // 256 = 4`` crops into one canvas (``tile=True``: 4x fewer encoder passes; SAM then sees
  its neighbours, so masks can differ: measured by ``tools/benchmark.py gem``);
- decodes all point prompts of an image in one mask-decoder call (chunks of ``prompt_chunk``);
- maps the 256 x 256 low-resolution logits straight to the crop with two small matrices, which is the same linear
  map as SAM's upsample-to-1024 / crop / resize (``Sam.postprocess_masks``) without the 1024 x 1024 intermediate.
"""
import os.path as osp
from functools import partial
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SAM_CHECKPOINTS = {
    'vit_b': 'sam_vit_b_01ec64.pth',
    'vit_l': 'sam_vit_l_0b3195.pth',
    'vit_h': 'sam_vit_h_4b8939.pth',
}
SAM_URL = 'https://dl.fbaipublicfiles.com/segment_anything/'


def build_tiny_sam() -> nn.Module:
    """A SAM with the official structure at toy width (one encoder block, 32-d prompts): tests and plumbing only."""
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
    dim = 32
    return Sam(
        image_encoder=ImageEncoderViT(img_size=1024, patch_size=16, embed_dim=16, depth=1, num_heads=1,
                                      mlp_ratio=2, out_chans=dim, qkv_bias=True,
                                      norm_layer=partial(nn.LayerNorm, eps=1e-6), use_rel_pos=True,
                                      window_size=14, global_attn_indexes=()),
        prompt_encoder=PromptEncoder(embed_dim=dim, image_embedding_size=(64, 64), input_image_size=(1024, 1024),
                                     mask_in_chans=4),
        mask_decoder=MaskDecoder(num_multimask_outputs=3, transformer_dim=dim, iou_head_depth=2,
                                 iou_head_hidden_dim=dim,
                                 transformer=TwoWayTransformer(depth=1, embedding_dim=dim, mlp_dim=64, num_heads=2)),
        pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375])


def build_sam(model_type: str = 'vit_b', checkpoint: Optional[str] = None, allow_random: bool = False) -> nn.Module:
    """Build an official SAM (``vit_b`` / ``vit_l`` / ``vit_h``, or ``tiny`` for tests) and load its weights.

    Args:
        model_type: Architecture; ``checkpoint`` must match it.
        checkpoint: Path of the official ``.pth`` (a plain state dict).
        allow_random: Keep random weights when ``checkpoint`` is None (speed benchmarks, plumbing tests); logged.

    Raises:
        FileNotFoundError: ``checkpoint`` is None (without ``allow_random``) or missing; the message names the
            official file and where to get it.
    """
    from segment_anything import sam_model_registry
    builders = {**{k: sam_model_registry[k] for k in SAM_CHECKPOINTS}, 'tiny': lambda checkpoint=None: build_tiny_sam()}
    if model_type not in builders:
        raise ValueError(f'SAM model_type must be one of {sorted(builders)}, got {model_type!r}')
    if checkpoint is None or not osp.isfile(checkpoint):
        if checkpoint is None and allow_random:
            from mmengine.logging import print_log
            print_log(f'SAM {model_type}: RANDOM WEIGHTS (allow_random=True, no checkpoint); masks are meaningless',
                      'current', level=30)
            return builders[model_type]().eval()
        name = SAM_CHECKPOINTS.get(model_type, 'a checkpoint of this model type')
        where = f'{SAM_URL}{name}' if model_type in SAM_CHECKPOINTS else 'your own training'
        raise FileNotFoundError(f'SAM {model_type} checkpoint {checkpoint!r} not found: GEM needs the official '
                                f'{name} (download {where} and pass its path as checkpoint=...)')
    sam = builders[model_type]()
    state = torch.load(checkpoint, map_location='cpu', weights_only=True)
    state = state.get('model', state) if isinstance(state, dict) else state
    own = sam.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [k for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or wrong:
        raise KeyError(f'{checkpoint} does not fit SAM {model_type}: {len(missing)} missing (e.g. {missing[:3]}), '
                       f'{len(unexpected)} unexpected (e.g. {unexpected[:3]}), {len(wrong)} of another shape '
                       f'(e.g. {wrong[:3]}); is model_type right?')
    sam.load_state_dict(state)
    return sam.eval()


def _linear_resize_matrix(n_in: int, up: int, start: int, length: int, n_out: int) -> torch.Tensor:
    """n_in x n_out matrix of SAM's per-axis chain: bilinear n_in -> up, crop [start, start + length), -> n_out."""
    eye = torch.eye(n_in, dtype=torch.float64)[None]
    x = F.interpolate(eye, size=up, mode='linear', align_corners=False)[..., start:start + length]
    return F.interpolate(x, size=n_out, mode='linear', align_corners=False)[0].float()


class SAMPrompter(nn.Module):
    """Batched SAM point prompting for equally sized text crops.

    Args:
        sam: A ``segment_anything`` ``Sam`` (e.g. from :func:`build_sam`).
        image_size: (H, W) of the crops (all crops must have it).
        encoder_batch: Canvases per image-encoder call.
        prompt_chunk: Point prompts per mask-decoder call (the decoder repeats the image embedding per prompt). None:
            4 on CPU, where larger chunks are slower (memory-bound: vit_b 65 ms per prompt at 1-4, 117 ms at 64),
            128 on CUDA.
        tile: Stack ``1024 // (H * 1024 / W)`` crops vertically in one canvas.
        autocast: ``'bf16'`` or ``'fp16'``: run SAM's encoder and decoder under ``torch.autocast`` in that precision
            (on GPUs; bf16 also on CPUs with native bf16); None (default) keeps fp32. Masks are thresholded and
            scores returned in fp32 either way.
    """

    AUTOCAST = {'bf16': torch.bfloat16, 'fp16': torch.float16}

    def __init__(self, sam: nn.Module, image_size: Tuple[int, int] = (32, 128), encoder_batch: int = 4,
                 prompt_chunk: Optional[int] = None, tile: bool = False, autocast: Optional[str] = None) -> None:
        super().__init__()
        if autocast is not None and autocast not in self.AUTOCAST:
            raise ValueError(f"autocast must be None, 'bf16' or 'fp16', got {autocast!r}")
        self.autocast = autocast
        from segment_anything.utils.transforms import ResizeLongestSide
        self.sam, self.image_size, self.tile = sam, tuple(image_size), tile
        self.encoder_batch, self.prompt_chunk = encoder_batch, prompt_chunk
        side = sam.image_encoder.img_size
        self.resize = ResizeLongestSide(side)
        self.input_size = tuple(ResizeLongestSide.get_preprocess_shape(*self.image_size, side))
        self.per_canvas = side // self.input_size[0] if tile else 1
        ph, pw = self.input_size
        low = side // 4  # the decoder's low-resolution mask side (256)
        self.register_buffer('cols', _linear_resize_matrix(low, side, 0, pw, self.image_size[1]), persistent=False)
        self.register_buffer('rows', torch.stack([_linear_resize_matrix(low, side, j * ph, ph, self.image_size[0])
                                                  for j in range(self.per_canvas)]), persistent=False)

    @property
    def device(self) -> torch.device:
        return self.cols.device

    def _precision(self):
        """The autocast context of SAM's forward passes (a disabled one without ``autocast``)."""
        dtype = self.AUTOCAST.get(self.autocast)
        return torch.autocast(self.device.type, dtype=dtype or torch.float32, enabled=dtype is not None)

    # -- encoder ---------------------------------------------------------------------------------------------------
    def canvases(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """H x W x 3 uint8 RGB crops -> C x 3 x 1024 x 1024 normalised, padded canvases (``per_canvas`` each)."""
        side = self.sam.image_encoder.img_size
        ph, pw = self.input_size
        n = (len(images) + self.per_canvas - 1) // self.per_canvas
        out = torch.zeros(n, 3, side, side, device=self.device)
        for i, img in enumerate(images):
            if tuple(img.shape[:2]) != self.image_size or img.dtype != np.uint8:
                raise ValueError(f'SAMPrompter expects {self.image_size} uint8 RGB crops, got {img.dtype} '
                                 f'{img.shape} (image {i})')
            x = torch.as_tensor(self.resize.apply_image(img), device=self.device).permute(2, 0, 1).float()
            x = (x - self.sam.pixel_mean) / self.sam.pixel_std
            j = i % self.per_canvas
            out[i // self.per_canvas, :, j * ph:(j + 1) * ph, :pw] = x
        return out

    @torch.no_grad()
    def embed(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """Image embeddings, one per canvas: ceil(len(images) / per_canvas) x C x 64 x 64."""
        canv = self.canvases(images)
        with self._precision():
            return torch.cat([self.sam.image_encoder(canv[i:i + self.encoder_batch])
                              for i in range(0, len(canv), self.encoder_batch)])

    # -- decoder ---------------------------------------------------------------------------------------------------
    @torch.no_grad()
    def predict(self, embeddings: torch.Tensor, index: int, points: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Masks for single positive point prompts on image ``index`` (of the images given to :meth:`embed`).

        Args:
            embeddings: Output of :meth:`embed`.
            index: Which image.
            points: N x 2 (x, y) in crop pixels.

        Returns:
            N x 3 x H x W bool masks and N x 3 predicted IoU scores (SAM's multimask output).
        """
        canvas, slot = divmod(index, self.per_canvas)
        emb = embeddings[canvas:canvas + 1]
        coords = self.resize.apply_coords(np.asarray(points, np.float64).reshape(-1, 2), self.image_size)
        coords[:, 1] += slot * self.input_size[0]
        coords = torch.as_tensor(coords, dtype=torch.float32, device=self.device)[:, None]
        pe = self.sam.prompt_encoder.get_dense_pe()
        masks, scores = [], []
        chunk = self.prompt_chunk or (128 if self.device.type == 'cuda' else 4)
        for s in range(0, len(coords), chunk):
            c = coords[s:s + chunk]
            with self._precision():
                sparse, dense = self.sam.prompt_encoder(points=(c, torch.ones(c.shape[:2], device=self.device)),
                                                        boxes=None, masks=None)
                low, iou = self.sam.mask_decoder(image_embeddings=emb, image_pe=pe, sparse_prompt_embeddings=sparse,
                                                 dense_prompt_embeddings=dense, multimask_output=True)
            logits = self.rows[slot].T @ low.float() @ self.cols  # same linear map as Sam.postprocess_masks
            masks.append(logits > self.sam.mask_threshold)
            scores.append(iou)
        if not masks:
            return np.zeros((0, 3, *self.image_size), bool), np.zeros((0, 3), np.float32)
        return torch.cat(masks).cpu().numpy(), torch.cat(scores).float().cpu().numpy()


def naive_predict(sam: nn.Module, images: Sequence[np.ndarray], points: Sequence[np.ndarray]) -> List[tuple]:
    """Reference path: ``SamPredictor.set_image`` per image and one ``predict`` per point (the speed baseline).

    Returns per image (N x 3 x H x W bool masks, N x 3 scores) like :meth:`SAMPrompter.predict`.
    """
    from segment_anything import SamPredictor
    predictor = SamPredictor(sam)
    out = []
    for img, pts in zip(images, points):
        predictor.set_image(img)
        res = [predictor.predict(point_coords=np.asarray(p, np.float64)[None], point_labels=np.ones(1),
                                 multimask_output=True)[:2] for p in np.asarray(pts).reshape(-1, 2)]
        out.append((np.stack([m for m, _ in res]) if res else np.zeros((0, 3, *img.shape[:2]), bool),
                    np.stack([s for _, s in res]) if res else np.zeros((0, 3), np.float32)))
    return out
