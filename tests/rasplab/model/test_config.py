import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rasplab.model import TransformerConfig

BASE = dict(d_vocab=5, n_ctx=6, d_model=8, n_layers=2, n_heads=2, d_head=4, d_mlp=16)


def cfg(**overrides) -> TransformerConfig:
    return TransformerConfig(**{**BASE, **overrides})


def test_int_fields_apply_to_every_layer():
    c = cfg(n_layers=3, n_heads=2, d_head=4, d_mlp=0)
    assert c.heads_per_layer == (2, 2, 2)
    assert c.d_head_per_layer == (4, 4, 4)
    assert c.d_mlp_per_layer == (0, 0, 0)


def test_list_fields_give_each_layer_its_own_width():
    c = cfg(n_layers=3, n_heads=[1, 0, 3], d_head=[2, 1, 5], d_mlp=(0, 7, 3))
    assert c.heads_per_layer == (1, 0, 3)
    assert c.d_head_per_layer == (2, 1, 5)
    assert c.d_mlp_per_layer == (0, 7, 3)
    # A list and a tuple describe the same model.
    assert c == cfg(n_layers=3, n_heads=(1, 0, 3), d_head=(2, 1, 5), d_mlp=[0, 7, 3])


def test_defaults():
    c = cfg()
    assert c.d_vocab_out == c.d_vocab
    assert c.attn_scale is None and c.normalization is None
    assert c.positional_embeddings and not c.causal
    assert c.labels == {}
    assert cfg(d_vocab_out=3).d_vocab_out == 3


def test_config_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg().d_model = 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (dict(d_vocab=0), "d_vocab must be >= 1"),
        (dict(d_model=2.0), "d_model must be an int"),
        (dict(n_layers=-1), "n_layers must be >= 0"),
        (dict(d_vocab_out=0), "d_vocab_out must be >= 1"),
        (dict(n_heads=-1), "n_heads must be >= 0"),
        (dict(n_heads=[1]), "n_heads has 1 entries but n_layers is 2"),
        (dict(n_heads=[1, -2]), r"n_heads\[1\] must be >= 0"),
        (dict(d_head=0), "d_head must be >= 1"),
        (dict(d_mlp=[4, True]), r"d_mlp\[1\] must be an int"),
        (dict(d_mlp="16"), "d_mlp must be an int or a list of ints"),
        (dict(act_fn="tanh"), "act_fn must be one of"),
        (dict(normalization="RMS"), "normalization must be None"),
        (dict(causal=1), "causal must be True or False"),
        (dict(attn_scale=0.0), "attn_scale must be positive"),
        (dict(attn_scale=float("inf")), "attn_scale must be positive"),
        (dict(ln_eps=-1e-5), "ln_eps must be positive"),
        (dict(labels=[1, 2]), "labels must be a dict"),
        (dict(labels={1: "a"}), "JSON object keys must be strings"),
        (dict(labels={"x": float("nan")}), r"labels\['x'\] is nan"),
        (dict(labels={"x": [object()]}), r"labels\['x'\]\[0\] is a object"),
    ],
)
def test_invalid_values_are_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        cfg(**overrides)


def test_labels_are_copied_into_plain_json():
    labels = {"tokens": ("a", "b"), "resid": [{"sop": "x", "value": 1.5}]}
    c = cfg(labels=labels)
    assert c.labels == {"tokens": ["a", "b"], "resid": [{"sop": "x", "value": 1.5}]}
    labels["resid"][0]["value"] = 99  # the config keeps its own copy
    assert c.labels["resid"][0]["value"] == 1.5


def test_from_dict_names_unknown_and_missing_keys():
    d = cfg().to_dict()
    with pytest.raises(ValueError, match=r"unknown config keys \['n_head'\]"):
        TransformerConfig.from_dict({**d, "n_head": 2})
    del d["d_model"]
    with pytest.raises(ValueError, match=r"lacks required keys \['d_model'\]"):
        TransformerConfig.from_dict(d)
    with pytest.raises(ValueError, match="must be a JSON object"):
        TransformerConfig.from_dict([1, 2])


@st.composite
def configs(draw) -> TransformerConfig:
    n_layers = draw(st.integers(0, 3))

    def per_layer(low, high):
        return draw(
            st.integers(low, high)
            | st.lists(st.integers(low, high), min_size=n_layers, max_size=n_layers)
        )

    json_leaf = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=5)
        | st.floats(allow_nan=False, allow_infinity=False)
    )
    labels = st.dictionaries(
        st.text(max_size=5),
        st.recursive(
            json_leaf,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=3), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=3,
    )
    return TransformerConfig(
        d_vocab=draw(st.integers(1, 50)),
        d_vocab_out=draw(st.none() | st.integers(1, 50)),
        n_ctx=draw(st.integers(1, 64)),
        d_model=draw(st.integers(1, 64)),
        n_layers=n_layers,
        n_heads=per_layer(0, 4),
        d_head=per_layer(1, 8),
        d_mlp=per_layer(0, 32),
        act_fn=draw(st.sampled_from(["relu", "gelu"])),
        normalization=draw(st.sampled_from([None, "LN"])),
        causal=draw(st.booleans()),
        attn_scale=draw(st.none() | st.floats(1e-3, 1e3)),
        positional_embeddings=draw(st.booleans()),
        labels=draw(labels),
    )


@given(configs())
def test_json_round_trip(c):
    d = json.loads(json.dumps(c.to_dict()))
    assert d == c.to_dict()
    assert TransformerConfig.from_dict(d) == c
