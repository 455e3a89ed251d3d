"""Model token ids: the one convention that compiled, trained and compared models share.

BOS is id 0 and vocab[j] is id j + 1, so a model reads an input of n tokens as n + 1
ids, BOS first, and input token i sits at model position i + 1; a model of a vocabulary
has len(vocab) + 1 input ids. Tokens match by kind and value, as the interpreter tells
them apart: 1, 1.0, True and "1" are four different tokens (tokens_str spells 1 and
1.0 differently), while a numpy int matches the int of the same value.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from rasplab.rasp.errors import RaspError

BOS_ID = 0
"""The id of the beginning-of-sequence token every model input starts with."""


class UnknownTokenError(RaspError, ValueError):
    """A token that is not in the model's vocabulary (a RaspError for the CLI and the
    REPL, a ValueError for library callers)."""


def token_key(token: Any) -> tuple[str, Any]:
    """What identifies a token: its kind ("bool", "int", "float", "str", ...) and value."""
    if isinstance(token, bool):
        return ("bool", token)
    if isinstance(token, numbers.Integral):
        return ("int", int(token))
    if isinstance(token, numbers.Real):
        return ("float", float(token))
    return (type(token).__name__, token)


class TokenIds:
    """The ids of one vocabulary's tokens, both ways."""

    def __init__(self, vocab: Iterable[Any]) -> None:
        self.vocab: tuple[Any, ...] = tuple(vocab)
        self._ids: dict[tuple[str, Any], int] = {}
        for j, token in enumerate(self.vocab):
            key = token_key(token)
            if key in self._ids:
                raise ValueError(f"the vocabulary {list(self.vocab)} lists {token!r} twice")
            self._ids[key] = j + 1

    @property
    def size(self) -> int:
        """How many input ids a model of this vocabulary has: BOS and one per token."""
        return len(self.vocab) + 1

    def __contains__(self, token: Any) -> bool:
        return token_key(token) in self._ids

    def id(self, token: Any) -> int:
        """The id of one token; UnknownTokenError when it is not in the vocabulary."""
        try:
            return self._ids[token_key(token)]
        except KeyError:
            raise UnknownTokenError(
                f"token {token!r} is not in the vocabulary {list(self.vocab)}"
            ) from None

    def encode(self, tokens: Sequence[Any]) -> list[int]:
        """BOS_ID followed by each token's id: len(tokens) + 1 ids."""
        ids = [BOS_ID]
        for position, token in enumerate(tokens):
            try:
                ids.append(self._ids[token_key(token)])
            except KeyError:
                raise UnknownTokenError(
                    f"token {token!r} at position {position} is not in the vocabulary "
                    f"{list(self.vocab)}"
                ) from None
        return ids

    def decode(self, ids: Sequence[int]) -> list[Any]:
        """The tokens of model ids, a leading BOS dropped; the inverse of `encode`."""
        ids = [int(i) for i in ids]
        if ids and ids[0] == BOS_ID:
            ids = ids[1:]
        bad = [i for i in ids if not 1 <= i < self.size]
        if bad:
            raise ValueError(
                f"ids {bad} are not token ids of this vocabulary (1..{self.size - 1}; "
                f"BOS, id {BOS_ID}, only comes first)"
            )
        return [self.vocab[i - 1] for i in ids]
