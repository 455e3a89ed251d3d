"""rasp.tokens: BOS is id 0, vocab[j] is id j + 1, and decoding undoes encoding."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasplab.rasp import RaspError
from rasplab.rasp.tokens import BOS_ID, TokenIds, UnknownTokenError, token_key

ATOMS = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
    st.booleans(),
)
VOCABS = st.lists(ATOMS, min_size=1, max_size=20, unique_by=token_key)


@st.composite
def vocab_and_tokens(draw):
    vocab = draw(VOCABS)
    tokens = draw(st.lists(st.sampled_from(vocab), max_size=30))
    return vocab, tokens


@given(vocab_and_tokens())
def test_decode_undoes_encode(case):
    vocab, tokens = case
    ids = TokenIds(vocab)
    encoded = ids.encode(tokens)
    assert encoded[0] == BOS_ID == 0
    assert len(encoded) == len(tokens) + 1
    assert [vocab[i - 1] for i in encoded[1:]] == tokens  # vocab[j] is id j + 1
    assert ids.decode(encoded) == tokens
    assert ids.decode(encoded[1:]) == tokens  # BOS may be left off


@given(VOCABS)
def test_every_token_has_its_own_id_and_bos_none(vocab):
    ids = TokenIds(vocab)
    assert [ids.id(t) for t in vocab] == list(range(1, len(vocab) + 1))
    assert ids.size == len(vocab) + 1
    assert ids.decode(range(ids.size)) == list(vocab)


@given(VOCABS, ATOMS)
def test_a_token_outside_the_vocabulary_is_refused_with_its_position(vocab, stranger):
    ids = TokenIds(vocab)
    if stranger in ids:
        return
    with pytest.raises(UnknownTokenError, match="at position 1 is not in the vocabulary"):
        ids.encode([vocab[0], stranger])
    with pytest.raises(UnknownTokenError):
        ids.id(stranger)


def test_tokens_match_by_kind_and_value():
    ids = TokenIds([1, 1.0, True, "1"])
    assert [ids.id(t) for t in (1, 1.0, True, "1")] == [1, 2, 3, 4]
    assert ids.encode([np.int64(1), np.float64(1.0)]) == [BOS_ID, 1, 2]
    assert False not in TokenIds([0])


def test_an_unknown_token_is_a_rasp_error_and_a_value_error():
    with pytest.raises(RaspError, match=r"token 'z' at position 2 is not in the vocabulary \['a'"):
        TokenIds("ab").encode(["a", "b", "z"])
    with pytest.raises(ValueError):
        TokenIds("ab").id("z")


def test_a_vocabulary_listing_a_token_twice_is_refused():
    with pytest.raises(ValueError, match="lists 'a' twice"):
        TokenIds(["a", "b", "a"])


@pytest.mark.parametrize("ids", [[0, 3], [0, 1, 0], [-1]])
def test_decode_refuses_ids_outside_the_vocabulary_and_a_late_bos(ids):
    with pytest.raises(ValueError, match="not token ids"):
        TokenIds(["a", "b"]).decode(ids)
