"""pngread: a tiny PNG reader (Python stdlib only) for probing screenshot pixels.

Reads 8-bit RGB (colour type 2) and RGBA (colour type 6) non-interlaced PNGs,
the kind SDL_image writes for the kiosk's screenshots: the chunks are
checked (CRC), the IDAT data inflated with zlib and each scanline unfiltered
(None, Sub, Up, Average, Paeth).  Anything else raises ValueError naming the
file and what was found, so a test never probes a picture it misread.

    img = read_png(path)
    r, g, b = img.rgb(x, y)
"""
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Image:
    """Decoded pixels: width, height, channels (3 or 4) and rows of bytes."""

    def __init__(self, width, height, channels, rows):
        self.width, self.height, self.channels, self.rows = width, height, channels, rows

    def pixel(self, x, y):
        """The pixel at x, y as a tuple of 3 or 4 ints."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError("pixel %d,%d outside a %dx%d image" % (x, y, self.width, self.height))
        i = x * self.channels
        return tuple(self.rows[y][i:i + self.channels])

    def rgb(self, x, y):
        return self.pixel(x, y)[:3]


def _chunks(data, path):
    pos = len(SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("%s: truncated chunk header at byte %d" % (path, pos))
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc_at = pos + 8 + length
        if len(body) != length or crc_at + 4 > len(data):
            raise ValueError("%s: truncated %r chunk at byte %d" % (path, kind, pos))
        (crc,) = struct.unpack(">I", data[crc_at:crc_at + 4])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError("%s: bad CRC in the %r chunk at byte %d" % (path, kind, pos))
        yield kind, body
        if kind == b"IEND":
            return
        pos = crc_at + 4
    raise ValueError("%s: no IEND chunk" % path)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind, line, prev, bpp, path, y):
    """One scanline without its filter; prev is the previous unfiltered row."""
    if kind == 0:
        return bytearray(line)
    if kind == 2:
        return bytearray((a + b) & 0xFF for a, b in zip(line, prev))
    out = bytearray(line)
    n = len(out)
    if kind == 1:
        for i in range(bpp, n):
            out[i] = (out[i] + out[i - bpp]) & 0xFF
    elif kind == 3:
        for i in range(n):
            left = out[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            if i >= bpp:
                out[i] = (out[i] + _paeth(out[i - bpp], prev[i], prev[i - bpp])) & 0xFF
            else:
                out[i] = (out[i] + prev[i]) & 0xFF
    else:
        raise ValueError("%s: row %d has filter type %d (expected 0..4)" % (path, y, kind))
    return out


def read_png(path):
    """Decodes the PNG at path into an Image; ValueError when it is not one we read."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(SIGNATURE):
        raise ValueError("%s: not a PNG (no signature)" % path)
    header, idat = None, []
    for kind, body in _chunks(data, path):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    if header is None:
        raise ValueError("%s: no IHDR chunk" % path)
    width, height, depth, colour, _compression, _filter, interlace = header
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError("%s: bit depth %d, colour type %d, interlace %d: expected 8-bit RGB or "
                         "RGBA, not interlaced" % (path, depth, colour, interlace))
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise ValueError("%s: %d bytes of image data, expected %d" %
                         (path, len(raw), height * (stride + 1)))
    rows, prev = [], bytearray(stride)
    for y in range(height):
        at = y * (stride + 1)
        prev = _unfilter(raw[at], raw[at + 1:at + 1 + stride], prev, channels, path, y)
        rows.append(prev)
    return Image(width, height, channels, rows)
