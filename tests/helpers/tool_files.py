"""Files shaped exactly as named tools write them, generated from each tool's documented format.

hashdeep (its own format, `hashdeep -r`), md5deep/sha256deep `-z`, Windows `certutil -hashfile`
(Windows 10 and Windows 7 layouts), NSRL RDS 2.x `NSRLFile.txt`, Windows PowerShell 5.1
`Get-FileHash | Export-Csv` and ThreatExchange's bare PDQ lists. The content is digests of
harmless bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass
class Listed:
    """One file as the tools see it: its path (as the tool prints it) and its content."""

    path: str
    content: bytes

    @property
    def md5(self) -> str:
        return hashlib.md5(self.content).hexdigest()

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.content).hexdigest()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def hashdeep(files: list[Listed], columns=("md5", "sha256"), cwd="/home/analyst") -> str:
    """`hashdeep -c <columns> -r ...`: two `%%%%` header lines, `##` invocation lines, then
    `size,<hashes...>,filename` a file (the name last, unquoted, commas and all)."""
    lines = ["%%%% HASHDEEP-1.0", "%%%% size," + ",".join(columns) + ",filename",
             f"## Invoked from: {cwd}", f"## $ hashdeep -c {','.join(columns)} -r evidence",
             "##"]  # fmt: skip
    for f in files:
        lines.append(",".join([str(len(f.content)), *(getattr(f, c) for c in columns), f.path]))
    return "\n".join(lines) + "\n"


def md5deep_sized(files: list[Listed], algorithm="md5") -> str:
    """`md5deep -z` (or sha256deep -z): the size in ten places, right-aligned, then the digest
    and the path, two spaces apart."""
    return "".join(f"{len(f.content):>10}  {getattr(f, algorithm)}  {f.path}\n" for f in files)


def certutil(files: list[Listed], algorithm="SHA256", windows7=False) -> str:
    """`certutil -hashfile FILE ALG` run once per file, output appended, CRLF line ends.
    Windows 7 writes `hash of file` and the digest as space-separated hex pairs."""
    out = []
    for f in files:
        digest = getattr(f, algorithm.lower())
        if windows7:
            out.append(f"{algorithm} hash of file {f.path}:")
            out.append(" ".join(digest[i : i + 2] for i in range(0, len(digest), 2)))
        else:
            out.append(f"{algorithm} hash of {f.path}:")
            out.append(digest)
        out.append("CertUtil: -hashfile command completed successfully.")
    return "\r\n".join(out) + "\r\n"


NSRL_HEADER = (
    '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"'
)


def nsrl_rds2(entries: list[tuple[Listed, int]]) -> str:
    """NSRL RDS 2.x `NSRLFile.txt`: the quoted header, then per (file, product) a line with
    upper-case SHA-1 and MD5, CRC32, quoted name, unquoted size and product code, sorted by
    SHA-1 (one file shipped by two products is listed twice); CRLF line ends."""
    rows = [NSRL_HEADER]
    for f, product in sorted(entries, key=lambda e: (e[0].sha1, e[1])):
        crc = f"{hashlib.sha256(f.content).hexdigest()[:8].upper()}"
        rows.append(f'"{f.sha1.upper()}","{f.md5.upper()}","{crc}","{f.path}",'
                    f'{len(f.content)},{product},"WIN",""')  # fmt: skip
    return "\r\n".join(rows) + "\r\n"


def powershell_export_csv(files: list[Listed], algorithm="SHA256") -> str:
    """Windows PowerShell 5.1 `Get-FileHash -Algorithm ALG ... | Export-Csv out.csv`: a `#TYPE`
    line naming the .NET type, then the quoted header and rows, hex in upper case, CRLF."""
    rows = ["#TYPE Microsoft.PowerShell.Commands.FileHashInfo", '"Algorithm","Hash","Path"']
    for f in files:
        rows.append(f'"{algorithm}","{getattr(f, algorithm.lower()).upper()}","{f.path}"')
    return "\r\n".join(rows) + "\r\n"


def threatexchange_pdq(hashes: list[str]) -> str:
    """A ThreatExchange PDQ hash list as its tools export it: one bare 64-hex hash a line."""
    return "".join(f"{h}\n" for h in hashes)
