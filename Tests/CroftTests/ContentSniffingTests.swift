import Croft
import Testing

/// A file's type comes from its bytes, never from its name or the client's Content-Type.
struct ContentSniffingTests {
    @Test func knownSignaturesAreRecognised() {
        let cases: [([UInt8], SniffedType)] = [
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], .png),
            ([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], .jpeg),
            (Array("GIF89a".utf8) + [1, 0], .gif),
            (Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WEBPVP8 ".utf8), .webp),
            (Array("%PDF-1.7\n".utf8), .pdf),
            ([0x50, 0x4B, 0x03, 0x04, 20, 0], .zip),
            ([0x1F, 0x8B, 0x08, 0], .gzip),
            ([0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [0, 0, 0, 0] + Array("isommp41".utf8), .mp4),
            ([0, 0, 0, 0x14] + Array("ftypisom".utf8) + [0, 0, 0, 0] + Array("mp41".utf8), .mp4),
            ([0x1A, 0x45, 0xDF, 0xA3], .webm),
            (Array("ID3\u{3}".utf8), .mp3),
            (Array("Just some notes.\nSecond line.".utf8), .text),
            ([0xEF, 0xBB, 0xBF] + Array("bom".utf8), .text),
            ([0x00, 0x01, 0x02, 0x03, 0x04], .binary),
            ([], .text),
        ]
        for (bytes, expected) in cases {
            #expect(ContentSniffing.detect(bytes) == expected, "\(bytes.prefix(12))")
        }
    }

    @Test func markupIsFoundWhateverTheNameOrCaseSays() {
        // What an attacker uploads as "cat.png": found to be HTML, so it is never served inline.
        for html in ["<html><script>alert(1)</script>", "  \r\n<!DOCTYPE HTML>\n<p>x", "<SCRIPT>x</SCRIPT>", "<!-- c -->",
                     "<a href=x>link</a>", "<Body onload=x>"] {
            #expect(ContentSniffing.detect(Array(html.utf8)) == .html, "\(html)")
        }
        #expect(ContentSniffing.detect(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>".utf8)) == .svg)
        #expect(ContentSniffing.detect(Array("<?xml version=\"1.0\"?>\n<svg>".utf8)) == .svg)
        #expect(ContentSniffing.detect(Array("<?XML version=\"1.0\"?><feed/>".utf8)) == .xml)
        #expect(ContentSniffing.detect(Array("<abbr>not a listed tag</abbr>".utf8)) == .text)  // `<a` must end in space or >
        #expect(SniffedType.html.isActive && SniffedType.svg.isActive && !SniffedType.svg.isSafeImage)
        #expect(SniffedType.png.isSafeImage && !SniffedType.png.isActive)
    }

    @Test func onlyTheHeaderIsRead() {
        // Binary bytes past WHATWG's 1,445-byte header do not change the answer.
        let bytes = Array(repeating: UInt8(ascii: "a"), count: ContentSniffing.headerLength) + [0, 1, 2]
        #expect(ContentSniffing.detect(bytes) == .text)
        #expect(ContentSniffing.detect(Array(bytes.prefix(10)) + [0]) == .binary)
    }
}
