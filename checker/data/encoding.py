"""Which encoding a file is in, decided over the whole file, and its text decoded line by line, so
that a line in another encoding is an error at that line and the rest of the file is still read.

Files in this domain come as UTF-8 (with or without BOM) or as GB18030/GBK, what Excel and WPS in
China write. A BOM decides. Else the file is streamed once in 1 MB chunks: each chunk is checked as
UTF-8 (in C; a chunk that fails is looked at line by line), and up to 64 KB of non-ASCII lines are
kept as samples (lines valid as UTF-8, lines not). Then:
- the UTF-8-valid lines are GB18030 text valid as UTF-8 by accident (`_gb18030_by_accident`: "元"
  is D4 AA, which UTF-8 reads as "Ԫ"): GB18030;
- else, as many lines valid in UTF-8 as not: UTF-8 (the others are rows in another encoding, each
  an error at its row);
- else GB18030 if the other lines decode so; else charset-normalizer's guess over every encoding it
  knows (Big5, Shift_JIS, …), if ASCII-compatible; else GB18030.
charset-normalizer is not asked to choose between UTF-8 and GB18030: on the short samples where
the choice is hard it got it wrong too often (measured on 200 samples each of 1, 3 and 30 lines
valid in both: it called 11-28% of UTF-8 texts with ° × ² GB18030 and 10-72% of GB18030 texts
UTF-8; `_gb18030_by_accident`: no UTF-8 text wrong, 3 of the 600 GB18030 ones, all one line). Its
price: a UTF-8 file whose only non-ASCII text is Cyrillic or Greek reads as GB18030. Chinese in
UTF-8 is three bytes a character, which GB18030 text forms by accident almost never (none of
100,000 random lines of common hanzi).
Reading a GB18030 file, a line that is valid UTF-8 holding a character beyond U+07FF (Chinese, in
UTF-8) is an error too: as GB18030 it would read as plausible-looking but wrong characters.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
SAMPLE_BYTES = 64 << 10
# A UTF-8 lead byte of a character of three or four bytes (U+0800 and beyond: Chinese, in UTF-8)
_WIDE_UTF8 = re.compile(rb"[\xe0-\xf4]")
_GB_FAMILY = {"gb18030", "gbk", "gb2312", "hz", "cp936"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Encoding:
    name: str  # a Python codec name
    bom: int = 0  # bytes of byte-order mark at the start, skipped
    by_line: bool = True  # ASCII-compatible: lines can be cut at b"\n" before they are decoded

    @property
    def label(self) -> str:
        return {"utf-8": "UTF-8", "gb18030": "GB18030"}.get(self.name, self.name.upper())


UTF8 = Encoding("utf-8")
GB18030 = Encoding("gb18030")


class TextDecodeError(ValueError):
    """A text file (a rule, profile or waiver file) with a line that is not in its encoding."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line


def decodes_as_utf8(data: bytes) -> bool:
    """Whether bytes are valid UTF-8 (strict: no surrogate, no overlong form, nothing past U+10FFFF)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class _Scan:
    """What one pass over a file saw: non-ASCII lines valid and not valid as UTF-8, and samples.
    `valid_utf8` checks a whole chunk (a caller may give one faster than decoding it in Python)."""
    valid_utf8: Callable[[bytes], bool] = decodes_as_utf8
    # Lines of chunks valid as UTF-8 are counted (ASCII lines too) only when they are weighed against
    # lines that are not (then the file is scanned again): else a valid chunk counts as one, enough
    # to tell a UTF-8 file from an ASCII one (counting them was over a quarter of the scan's cost).
    count_lines: bool = False
    utf8_lines: int = 0  # lines of chunks valid as UTF-8 (ASCII lines too), or valid chunks
    other_lines: int = 0  # lines that are not UTF-8
    utf8_sample: bytearray = field(default_factory=bytearray)
    other_sample: bytearray = field(default_factory=bytearray)

    def take(self, chunk: bytes) -> None:
        if chunk.isascii():
            return
        if not self.valid_utf8(chunk):
            for line in chunk.split(b"\n"):
                self._take_line(line)
            return
        self.utf8_lines += chunk.count(b"\n") + 1 if self.count_lines else 1
        _sample_lines(self.utf8_sample, chunk)

    def _take_line(self, line: bytes) -> None:
        if line.isascii():
            return
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            self.other_lines += 1
            _sampled(self.other_sample, line)
        else:
            self.utf8_lines += 1
            _sampled(self.utf8_sample, line)


def _sample_lines(sample: bytearray, chunk: bytes) -> None:
    """The non-ASCII lines of `chunk.split(b"\\n")`, in order, added to a sample until it is full,
    split a window of about the sample's room at a time (whole lines): a sample fills within the
    first 64 KB of a file whose lines are not ASCII, and splitting the whole 1 MB chunk into lines
    for it cost 2.5 % of the partition pass over 20 units of the 1M set (instructions)."""
    start = 0
    while start <= len(chunk) and len(sample) < SAMPLE_BYTES:
        end = chunk.find(b"\n", start + SAMPLE_BYTES - len(sample))
        end = len(chunk) if end < 0 else end
        for line in chunk[start:end].split(b"\n"):
            if not line.isascii() and not _sampled(sample, line):
                return
        start = end + 1


def _sampled(sample: bytearray, line: bytes) -> bool:
    """Add a line to a sample while there is room (a long line: its start, cut after an ASCII
    punctuation or space byte, which is never inside a UTF-8 or GB18030 character)."""
    room = SAMPLE_BYTES - len(sample)
    if room <= 0:
        return False
    if len(line) >= room:
        cut = max(line.rfind(byte, 0, room) for byte in (b" ", b",", b'"', b"\t"))
        line = line[:cut + 1] if cut > 0 else b""
    sample += line + b"\n"
    return True


def detect(path: Path, valid_utf8: Callable[[bytes], bool] = decodes_as_utf8) -> Encoding:
    """The encoding of a whole file (see the module's description). `valid_utf8`: a check that
    says of any bytes what `decodes_as_utf8` says (the columnar path gives polars', a tenth of
    the cost of decoding each chunk in Python)."""
    with Path(path).open("rb") as handle:
        head = handle.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return Encoding(name, 0 if name != "utf-8" else len(bom), by_line=name == "utf-8")
    scan = _scanned(path, _Scan(valid_utf8))
    if scan.other_lines and scan.utf8_lines:
        scan = _scanned(path, _Scan(valid_utf8, count_lines=True))
    return _decide(scan)


def _scanned(path: Path, scan: _Scan) -> _Scan:
    with Path(path).open("rb") as handle:
        rest = b""
        while chunk := handle.read(CHUNK):
            chunk = rest + chunk
            cut = chunk.rfind(b"\n") + 1  # whole lines only: a character is never cut in two
            rest = chunk[cut:]
            scan.take(chunk[:cut])
        scan.take(rest)
    return scan


def _decide(scan: _Scan) -> Encoding:
    if not scan.utf8_lines and not scan.other_lines:
        return UTF8  # ASCII
    if scan.utf8_sample and _gb18030_by_accident(bytes(scan.utf8_sample)):
        return GB18030
    if scan.utf8_lines >= scan.other_lines:
        return UTF8
    sample = bytes(scan.other_sample)
    try:
        sample.decode("gb18030")
        return GB18030
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only here: importing it takes 20 ms

    best = from_bytes(sample).best()  # Big5, Shift_JIS, UTF-16 without a BOM, …
    if best is not None and best.encoding not in _GB_FAMILY and _ascii_compatible(best.encoding):
        return Encoding(codecs.lookup(best.encoding).name)
    return GB18030


def _gb18030_by_accident(sample: bytes) -> bool:
    """Whether UTF-8-valid lines are GB18030 text that happens to be valid UTF-8. Chinese in UTF-8
    takes three bytes a character, which GB18030 text forms by accident almost never (none of 100,000
    random lines of common hanzi): such lines are UTF-8. Only text whose UTF-8 reading is all
    two-byte characters (U+0080–U+07FF) is in doubt: "元" is D4 AA, "Ԫ" in UTF-8. Then the reading
    with more of the characters these records hold wins (hanzi, CJK and full-width punctuation,
    Latin-1 symbols such as ° × ²; not Cyrillic, Armenian, Hebrew…), UTF-8 on a tie."""
    if _WIDE_UTF8.search(sample):
        return False
    as_utf8 = sample.decode("utf-8")
    try:
        as_gb18030 = sample.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return _usual_share(as_gb18030) > _usual_share(as_utf8)


_USUAL = ((0x00A0, 0x00FF), (0x2000, 0x206F), (0x2100, 0x24FF), (0x3000, 0x303F), (0x3400, 0x9FFF),
          (0xF900, 0xFAFF), (0xFF00, 0xFFEF))


def _usual_share(text: str) -> float:
    """The share of a text's non-ASCII characters that records of Chinese public bodies hold."""
    unusual = usual = 0
    for char in text:
        code = ord(char)
        if code < 0x80:
            continue
        if any(low <= code <= high for low, high in _USUAL):
            usual += 1
        else:
            unusual += 1
    return usual / ((usual + unusual) or 1)


def _ascii_compatible(name: str) -> bool:
    try:
        return "\n,\"{}:abc019".encode(name) == b"\n,\"{}:abc019"
    except (LookupError, UnicodeError):
        return False


def _utf8_in_gb18030(raw: bytes) -> str | None:
    """Why a non-ASCII line that decodes as GB18030 is still not GB18030, if it is not: it is valid
    UTF-8 with a character beyond U+07FF (Chinese, in UTF-8)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _WIDE_UTF8.search(raw):
        return "这一行是 UTF-8 编码，而文件是 GB18030 / this line is UTF-8 in a GB18030 file"
    return None


def _not_in(raw: bytes, encoding: Encoding) -> str:
    other = GB18030 if encoding.name == "utf-8" else UTF8
    try:
        raw.decode(other.name)
        zh, en = f"（像是 {other.label}）", f" (it looks like {other.label})"
    except UnicodeDecodeError:
        zh = en = ""
    return (f"这一行不是 {encoding.label} 编码{zh}，而文件其余各行是 / this line is not {encoding.label} like "
            f"the rest of the file{en}")


def decoded_lines(path: Path, encoding: Encoding, start: tuple[int, int] | None = None
                  ) -> Iterator[tuple[int, str, str | None]]:
    """(line number, text with its line end, why the line is not in the file's encoding or None).
    A line that is not is decoded with replacement characters, so that the lines after it are read.
    `start`: (byte offset, its line's number) to begin at a later line (ASCII-compatible only)."""
    if not encoding.by_line:  # UTF-16/32: whole lines only after decoding
        with Path(path).open(encoding=encoding.name, errors="replace", newline="") as handle:
            for number, text in enumerate(handle, start=1):
                yield number, text, (f"含有不是 {encoding.label} 的字节 / holds bytes that are not {encoding.label}"
                                     if "\ufffd" in text else None)
        return
    offset, first = start or (encoding.bom, 1)
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        for number, raw in enumerate(handle, start=first):
            yield decode_line(number, raw, encoding)


def decode_line(number: int, raw: bytes, encoding: Encoding) -> tuple[int, str, str | None]:
    """One line of an ASCII-compatible encoding, as `decoded_lines` gives it."""
    try:
        text = raw.decode(encoding.name)
    except UnicodeDecodeError:
        return number, raw.decode(encoding.name, "replace"), _not_in(raw, encoding)
    gb18030 = encoding.name == "gb18030"
    return number, text, (_utf8_in_gb18030(raw) if gb18030 and not raw.isascii() else None)


def whole_lines(path: Path, start: int, size: int) -> Iterator[tuple[bytes, int]]:
    """A file's bytes from `start` on, a chunk of whole lines (of about `size` bytes) at a time
    (the file's last line may have no line end), each with the offset it starts at."""
    with path.open("rb") as handle:
        handle.seek(start)
        offset, rest = start, b""
        while True:
            chunk = handle.read(size)
            data = rest + chunk
            cut = len(data) if not chunk else data.rfind(b"\n") + 1
            if cut == 0 and chunk:  # one line longer than a chunk: read on
                rest = data
                continue
            data, rest = data[:cut], data[cut:]
            if data:
                yield data, offset
                offset += len(data)
            if not chunk:
                return


def lines_in(data: bytes) -> int:
    return data.count(b"\n") + (not data.endswith(b"\n"))


def decode_text(path: Path) -> tuple[str, dict[int, str]]:
    """A whole file's text, and the lines (by number) that are not in its encoding."""
    encoding = detect(path)
    raw = Path(path).read_bytes()[encoding.bom:]
    if encoding.by_line:
        try:
            text = raw.decode(encoding.name)
        except UnicodeDecodeError:
            pass
        else:
            if encoding.name != "gb18030" or raw.isascii():
                return text, {}
    parts, bad = [], {}
    for number, line, problem in decoded_lines(path, encoding):
        parts.append(line)
        if problem:
            bad[number] = problem
    return "".join(parts), bad


def read_text(path: Path) -> str:
    """A text file (a rule, profile or waiver file, a YAML data file) in whatever encoding it is
    in: UTF-8 or GB18030 or another, decided as for data files. Raises TextDecodeError at the first
    line that is not in it."""
    text, bad = decode_text(Path(path))
    if bad:
        line = min(bad)
        raise TextDecodeError(Path(path), line, bad[line])
    return text
