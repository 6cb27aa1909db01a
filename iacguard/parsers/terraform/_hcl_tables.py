"""python-hcl2's Lark parser, loaded from the parse tables iacguard ships.

python-hcl2 builds its parser from its grammar (``hcl2.lark``) once and pickles it beside
itself. Loading that pickle costs more than the rest of a small scan's HCL work (about
65 ms), and where ``site-packages`` is read-only it is never written, so every process
builds the parser again (about 1.4 s). ``iacguard/data/hcl2-parser.bin`` holds the same
parser in lark's own serialised form, built from the grammar python-hcl2 8.1 ships, with
the LALR table (most of it) packed as integers; loading it costs about 20 ms, wherever
iacguard is installed, and it is data (:mod:`marshal`), never code.

It is used only when the installed grammar, lark and the post-lexer's accepted terminals
are exactly those it was built from (:data:`Key`); otherwise python-hcl2's own parser is
used, so a newer python-hcl2 or lark is read correctly, only slower. Rebuild it with
``python -m iacguard.parsers.terraform._hcl_tables`` when a test says it no longer fits
(the bytes differ from one rebuild to the next, as lark numbers the parser's states in
the order of sets of objects; what it parses does not).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

if TYPE_CHECKING:
    from lark import Lark

#: the shipped parser
TABLES: Final = Path(__file__).resolve().parents[2] / "data" / "hcl2-parser.bin"
#: what the tables were built from: the grammar's SHA-256, lark's version and the
#: post-lexer's ``always_accept`` terminals (they change which terminals are kept)
Key: TypeAlias = tuple[str, str, tuple[str, ...]]
#: the Python whose regular-expression parser worked out the terminals' widths
_PYTHON: Final = f"{sys.version_info[0]}.{sys.version_info[1]}"


def key_of(grammar: bytes, postlex: object) -> Key:
    """The :data:`Key` of a parser built from *grammar* with *postlex*, by this lark."""
    import lark

    accepted = tuple(sorted(getattr(postlex, "always_accept", ())))
    return hashlib.sha256(grammar).hexdigest(), lark.__version__, accepted


def load(grammar: bytes, postlex: object) -> Lark | None:
    """The parser python-hcl2 would build from *grammar* (``parser="lalr"``,
    ``propagate_positions=True``, *postlex*), from the shipped tables; None when they
    were built from something else or cannot be read."""
    try:
        packed = marshal.loads(zlib.decompress(TABLES.read_bytes()))
    except (OSError, zlib.error, ValueError, EOFError, TypeError):
        return None
    if not isinstance(packed, dict) or tuple(packed.get("key", ())) != key_of(grammar, postlex):
        return None
    from lark import Lark

    same_python = packed.get("python") == _PYTHON
    parser: Lark = Lark._load_from_dict(  # type: ignore[no-untyped-call]
        packed["data"],
        _memo_objects(packed["memo"], widths=same_python),
        postlex=postlex,
        propagate_positions=True,
        _plugins={"LALR_Parser": _packed_table_parser()},
    )
    return parser


def _memo_objects(memo: dict[int, dict[str, Any]], *, widths: bool) -> dict[int, Any]:
    """The rules and terminals of lark's serialised memo, made with their constructors
    (lark's generic deserialisation of them costs more than the rest of the load).

    :param widths: keep the widths of the terminals' patterns as stored (they were
        worked out by this Python's :mod:`re` parser); otherwise lark works them out
        again when a lexer needs them, as when it builds the parser from the grammar.
    """
    from lark.grammar import NonTerminal, Rule, RuleOptions, Terminal
    from lark.lexer import PatternRE, PatternStr, TerminalDef

    patterns = {"PatternRE": PatternRE, "PatternStr": PatternStr}

    def symbol(fields: dict[str, Any]) -> Terminal | NonTerminal:
        if fields["__type__"] == "Terminal":
            return Terminal(fields["name"], fields["filter_out"])
        return NonTerminal(fields["name"])

    objects: dict[int, Any] = {}
    for index, fields in memo.items():
        if fields["__type__"] == "TerminalDef":
            pattern = fields["pattern"]
            made = patterns[pattern["__type__"]](pattern["value"], pattern["flags"], pattern["raw"])
            if widths and "_width" in pattern:
                made._width = tuple(pattern["_width"])  # type: ignore[attr-defined]
            objects[index] = TerminalDef(fields["name"], made, fields["priority"])
            continue
        options = fields["options"]
        objects[index] = Rule(
            NonTerminal(fields["origin"]["name"]),
            [symbol(item) for item in fields["expansion"]],
            fields["order"],
            fields["alias"],
            RuleOptions(
                options["keep_all_tokens"],
                options["expand1"],
                options["priority"],
                options["template_source"],
                options["empty_indices"],
            ),
        )
    return objects


def _packed_table_parser() -> type:
    """lark's LALR parser class, reading the table as :func:`build` packs it: each state
    a flat tuple ``(terminal, action, terminal, action, ...)``, where an action >= 0
    shifts to that state and ``~n`` reduces by rule ``n`` of the memo."""
    from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift
    from lark.parsers.lalr_parser import LALR_Parser, _Parser

    class PackedTableParser(LALR_Parser):
        @classmethod
        def deserialize(  # type: ignore[override]
            cls, data: dict[str, Any], memo: dict[int, Any], callbacks: Any, debug: bool = False
        ) -> PackedTableParser:
            terminals = data["tokens"]
            shifts = [(Shift, state) for state in range(len(data["states"]))]
            states = {}
            for state, actions in enumerate(data["states"]):
                pairs = iter(actions)
                states[state] = {
                    terminals[terminal]: shifts[action] if action >= 0 else (Reduce, memo[~action])
                    for terminal, action in zip(pairs, pairs, strict=True)
                }
            parser = cls.__new__(cls)
            table = IntParseTable(states, data["start_states"], data["end_states"])  # type: ignore[no-untyped-call]
            parser._parse_table = table  # type: ignore[assignment]  # lark types it loosely
            parser.parser = _Parser(parser._parse_table, callbacks, debug)
            return parser

    return PackedTableParser


def build(grammar: bytes, postlex: object) -> bytes:
    """The contents of :data:`TABLES` for *grammar* (slow: lark builds the parser)."""
    from lark import Lark
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.lexer import TerminalDef

    parser = Lark(grammar.decode("utf-8"), parser="lalr", propagate_positions=True, postlex=postlex)
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    # as Lark.save does: the options given again when loading are not stored
    data["options"] = {k: v for k, v in data["options"].items() if k not in _LOAD_ALLOWED_OPTIONS}
    table = data["parser"]["parser"]
    states = table["states"]
    table["states"] = tuple(
        tuple(
            item
            for terminal, (action, argument) in states[state].items()
            for item in (terminal, argument if action == 0 else ~argument["@"])
        )
        for state in range(len(states))
    )
    packed = {"key": key_of(grammar, postlex), "python": _PYTHON, "data": data, "memo": memo}
    return zlib.compress(marshal.dumps(packed), 9)


def _installed_grammar() -> bytes:
    import hcl2

    return Path(hcl2.__file__).with_name("hcl2.lark").read_bytes()


def main() -> None:
    """Rebuild :data:`TABLES` from the installed python-hcl2."""
    from hcl2.postlexer import PostLexer

    TABLES.write_bytes(build(_installed_grammar(), PostLexer()))
    sys.stdout.write(f"wrote {TABLES}\n")


if __name__ == "__main__":
    main()
