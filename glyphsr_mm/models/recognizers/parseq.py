"""PARSeq (Bautista & Atienza, ECCV 2022), natively: the text prior of the GlyphSR paper.

A ViT encoder (patches of the RGB 32x128 image, values in [-1, 1]) and a pre-LN two-stream decoder queried by
learned position queries; autoregressive greedy decoding plus ``refine_iters`` cloze refinements, as the
released models decode. Parameter names follow the official checkpoints (``encoder.patch_embed.proj``,
``encoder.blocks.N.attn.qkv`` ... as timm's VisionTransformer names them, ``decoder.layers.N.self_attn``,
``head``, ``text_embed.embedding``, ``pos_queries``); the Lightning/torch.hub files prefix them with ``model.``
and ``DataParallel`` copies with ``module.``, both accepted. The head has 95 classes: end token + 94 characters.
"""
import string
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS
from .base import Charset, Preprocess, TextRecognizer

PARSEQ_CHARSET = string.digits + string.ascii_lowercase + string.ascii_uppercase + string.punctuation  # 94


class PatchEmbed(nn.Module):

    def __init__(self, patch_size: Sequence[int], in_chans: int, embed_dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=tuple(patch_size), stride=tuple(patch_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        return self.proj(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViTEncoder(nn.Module):
    """timm's VisionTransformer without class token and head, as PARSeq configures it."""

    def __init__(self, img_size: Sequence[int], patch_size: Sequence[int], embed_dim: int, depth: int,
                 num_heads: int, mlp_ratio: float) -> None:
        super().__init__()
        self.patch_embed = PatchEmbed(patch_size, 3, embed_dim)
        num_patches = (img_size[0] // patch_size[0]) * (img_size[1] // patch_size[1])
        self.pos_embed = nn.Parameter(torch.randn(1, num_patches, embed_dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.blocks(self.patch_embed(x) + self.pos_embed))


class DecoderLayer(nn.Module):
    """Pre-LN decoder layer with a query and a content stream (two-stream attention)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm_q = nn.LayerNorm(d_model)
        self.norm_c = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward_stream(self, tgt, tgt_norm, tgt_kv, memory, mask, padding_mask):
        tgt = tgt + self.dropout(self.self_attn(tgt_norm, tgt_kv, tgt_kv, attn_mask=mask,
                                                key_padding_mask=padding_mask, need_weights=False)[0])
        tgt = tgt + self.dropout(self.cross_attn(self.norm1(tgt), memory, memory, need_weights=False)[0])
        return tgt + self.dropout(self.linear2(self.dropout(F.gelu(self.linear1(self.norm2(tgt))))))

    def forward(self, query, content, memory, query_mask=None, content_mask=None, padding_mask=None,
                update_content: bool = True):
        content_norm = self.norm_c(content)
        query = self.forward_stream(query, self.norm_q(query), content_norm, memory, query_mask, padding_mask)
        if update_content:
            content = self.forward_stream(content, content_norm, content_norm, memory, content_mask, padding_mask)
        return query, content


class Decoder(nn.Module):

    def __init__(self, layer_args: tuple, num_layers: int, d_model: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList([DecoderLayer(*layer_args) for _ in range(num_layers)])
        self.norm = nn.LayerNorm(d_model)

    def forward(self, query, content, memory, query_mask=None, content_mask=None, padding_mask=None):
        for i, layer in enumerate(self.layers):
            query, content = layer(query, content, memory, query_mask, content_mask, padding_mask,
                                   update_content=i < len(self.layers) - 1)
        return self.norm(query)


class TokenEmbedding(nn.Module):

    def __init__(self, num_tokens: int, embed_dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_tokens, embed_dim)
        self.scale = embed_dim ** 0.5

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.scale * self.embedding(tokens)


@MODELS.register_module()
class PARSeqRecognizer(TextRecognizer):
    """PARSeq behind the common interface; defaults are the released ``parseq`` (base) model.

    Args:
        charset: Characters of the head after the end token (94 printable ASCII for the released models).
        max_label_length: 25 released; the decoder runs ``max_label_length + 1`` steps (T = 26).
        img_size / patch_size / embed_dim / enc_*: ViT encoder (``parseq-tiny``: embed 192, 3 heads).
        dec_*: decoder (one layer, 12 heads released).
        refine_iters: Cloze refinement passes after autoregressive decoding (1 released).
        checkpoint: Official PARSeq checkpoint (``parseq-bb5792a6.pt``, Lightning ``.ckpt``, or the GlyphSR
            authors' fine-tuned ``recognizer_best_acc_0.pth``).
    """

    checkpoint_prefixes = ('module.', 'model.')

    def __init__(self, charset: str = PARSEQ_CHARSET, max_label_length: int = 25,
                 img_size: Sequence[int] = (32, 128), patch_size: Sequence[int] = (4, 8), embed_dim: int = 384,
                 enc_num_heads: int = 6, enc_mlp_ratio: float = 4, enc_depth: int = 12, dec_num_heads: int = 12,
                 dec_mlp_ratio: int = 4, dec_depth: int = 1, refine_iters: int = 1, dropout: float = 0.1,
                 checkpoint: Optional[str] = None, allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        self.preprocess = Preprocess(size=tuple(img_size), mean=0.5, std=0.5)
        num_tokens = len(charset) + 3  # [E] + charset + [B] + [P]
        self.bos_id, self.pad_id = num_tokens - 2, num_tokens - 1
        self.charset = Charset(charset, num_classes=num_tokens - 2, offset=1, eos=0)
        self.max_label_length, self.refine_iters = max_label_length, refine_iters
        self.encoder = ViTEncoder(img_size, patch_size, embed_dim, enc_depth, enc_num_heads, enc_mlp_ratio)
        self.decoder = Decoder((embed_dim, dec_num_heads, embed_dim * dec_mlp_ratio, dropout), dec_depth, embed_dim)
        self.head = nn.Linear(embed_dim, num_tokens - 2)
        self.text_embed = TokenEmbedding(num_tokens, embed_dim)
        self.pos_queries = nn.Parameter(torch.randn(1, max_label_length + 1, embed_dim) * 0.02)
        self.dropout = nn.Dropout(dropout)
        self.init_weights_from(checkpoint)

    def decode(self, tgt, memory, tgt_mask=None, padding_mask=None, tgt_query=None, query_mask=None):
        n, length = tgt.shape
        null_ctx = self.text_embed(tgt[:, :1])
        tgt_emb = self.pos_queries[:, :length - 1] + self.text_embed(tgt[:, 1:])
        content = self.dropout(torch.cat([null_ctx, tgt_emb], dim=1))
        if tgt_query is None:
            tgt_query = self.pos_queries[:, :length].expand(n, -1, -1)
        return self.decoder(self.dropout(tgt_query), content, memory, query_mask, tgt_mask, padding_mask)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Preprocessed images -> logits B x (max_label_length + 1) x 95 (all steps, no early stop)."""
        bs, steps, dev = x.shape[0], self.max_label_length + 1, x.device
        memory = self.encoder(x)
        pos_queries = self.pos_queries[:, :steps].expand(bs, -1, -1)
        causal = torch.triu(torch.ones(steps, steps, dtype=torch.bool, device=dev), 1)
        tgt_in = torch.full((bs, steps), self.pad_id, dtype=torch.long, device=dev)
        tgt_in[:, 0] = self.bos_id
        logits = []
        for i in range(steps):
            j = i + 1
            out = self.decode(tgt_in[:, :j], memory, causal[:j, :j], tgt_query=pos_queries[:, i:j],
                              query_mask=causal[i:j, :j])
            logits.append(self.head(out))
            if j < steps:
                tgt_in[:, j] = logits[-1].squeeze(1).argmax(-1)
        logits = torch.cat(logits, dim=1)
        if self.refine_iters:
            query_mask = causal.clone()
            query_mask[torch.triu(torch.ones(steps, steps, dtype=torch.bool, device=dev), 2)] = False
            bos = torch.full((bs, 1), self.bos_id, dtype=torch.long, device=dev)
            for _ in range(self.refine_iters):
                tgt_in = torch.cat([bos, logits[:, :-1].argmax(-1)], dim=1)
                padding = (tgt_in == self.charset.eos).int().cumsum(-1) > 0
                out = self.decode(tgt_in, memory, causal, padding, pos_queries, query_mask[:, :tgt_in.shape[1]])
                logits = self.head(out)
        return logits
