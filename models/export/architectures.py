"""torch.nn modules for earshot's random-weight ONNX graphs (see export_graphs.py).

Attention is written out with plain ops (no nn.MultiheadAttention or
nn.TransformerEncoder): their inference fast paths in torch 1.13 do not
export to ONNX.
"""
import math
import torch
from torch import nn

# wav2vec 2.0's feature encoder: (kernel, stride) per conv layer -> 400-sample receptive field, 320-sample hop.
WAV2VEC2_CONV = [(10, 5), (3, 2), (3, 2), (3, 2), (3, 2), (2, 2), (2, 2)]


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        return self.out((w @ v).transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    """Pre-LayerNorm transformer block (ViT, Whisper): x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


def sinusoids(length, channels, max_timescale=10000):
    """Whisper's positional embedding (openai/whisper model.py `sinusoids`)."""
    inc = math.log(max_timescale) / (channels // 2 - 1)
    inv = torch.exp(-inc * torch.arange(channels // 2))
    t = torch.arange(length)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1)


class FbankViT(nn.Module):
    """AST (Gong et al. 2021): 16x16 patches of a [T, F] Kaldi fbank with strides (10, 10),
    cls + distillation tokens, learned positions, pre-LN blocks. Input [B, T, F].
    Outputs: last_hidden_state [B, 2 + f*t, D]; pooler_output (cls + dist) / 2 [B, D];
    frames: patch tokens averaged over frequency [B, t, D] (token j sees fbank frames 10j .. 10j+15)."""

    def __init__(self, n_mels=128, frames=1024, dim=768, depth=12, heads=12, patch=16, stride=10):
        super().__init__()
        self.proj = nn.Conv2d(1, dim, patch, stride=stride)
        self.f_dim, self.t_dim = (n_mels - patch) // stride + 1, (frames - patch) // stride + 1
        self.cls = nn.Parameter(torch.randn(1, 2, dim) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 2 + self.f_dim * self.t_dim, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, 4 * dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        x = self.proj(x.unsqueeze(1).transpose(2, 3))  # [B, D, f, t]
        b, d = x.shape[0], x.shape[1]
        x = torch.cat([self.cls.expand(b, -1, -1), x.flatten(2).transpose(1, 2)], dim=1) + self.pos
        x = self.norm(self.blocks(x))
        frames = x[:, 2:].reshape(b, self.f_dim, self.t_dim, d).mean(dim=1)
        return x, (x[:, 0] + x[:, 1]) / 2, frames


class WhisperEncoder(nn.Module):
    """Whisper's audio encoder (openai/whisper AudioEncoder): conv(k3) + GELU, conv(k3, stride 2) + GELU,
    sinusoidal positions, pre-LN blocks, final LayerNorm. [B, n_mels, 3000] -> [B, 1500, D]."""

    def __init__(self, n_mels=80, n_ctx=1500, dim=512, heads=8, layers=6):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, dim, 3, padding=1)
        self.conv2 = nn.Conv1d(dim, dim, 3, stride=2, padding=1)
        self.register_buffer('positional_embedding', sinusoids(n_ctx, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads, 4 * dim) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(dim)

    def forward(self, x):
        x = nn.functional.gelu(self.conv2(nn.functional.gelu(self.conv1(x)))).permute(0, 2, 1)
        return self.ln_post(self.blocks(x + self.positional_embedding))


class MultichannelWaveformEncoder(nn.Module):
    """WavJEPA-Nat-like: wav2vec 2.0's conv feature encoder over C input channels (GroupNorm on the
    first layer, GELU), LayerNorm, projection, learned positions, pre-LN blocks.
    [B, C, N] (N fixed: 2.01 s -> 100 frames at a 20 ms hop) -> [B, T, D]."""

    def __init__(self, channels=2, samples=32160, conv_dim=512, dim=768, depth=12, heads=12):
        super().__init__()
        layers, c_in, n = [], channels, samples
        for i, (k, s) in enumerate(WAV2VEC2_CONV):
            layers += [nn.Conv1d(c_in, conv_dim, k, stride=s, bias=False)]
            layers += [nn.GroupNorm(conv_dim, conv_dim)] if i == 0 else []
            layers += [nn.GELU()]
            c_in, n = conv_dim, (n - k) // s + 1
        self.features = nn.Sequential(*layers)
        self.ln = nn.LayerNorm(conv_dim)
        self.proj = nn.Linear(conv_dim, dim)
        self.pos = nn.Parameter(torch.randn(1, n, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, 4 * dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        x = self.proj(self.ln(self.features(x).transpose(1, 2))) + self.pos
        return self.norm(self.blocks(x))


class LastHiddenState(nn.Module):
    """torchaudio's Wav2Vec2Model returns (features, lengths); keep the features."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_values):
        return self.model(input_values)[0]
