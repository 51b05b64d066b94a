import Testing
@testable import TesseraReport

@Suite struct FormatTests {
    @Test func numbers() {
        #expect(Format.number(0) == "0")
        #expect(Format.number(12345) == "12,345")
        #expect(Format.number(-1234) == "\u{2212}1,234")
        #expect(Format.number(0.041) == "0.041")
        #expect(Format.number(1.0634) == "1.063")
        #expect(Format.number(12345.678) == "12,345.7")
        #expect(Format.number(1e-6) == "1×10⁻⁶")
        #expect(Format.number(.nan) == "NaN")
        #expect(Format.number(-.infinity) == "\u{2212}∞")
    }

    @Test func unitsAndEscaping() {
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.bytes(3_482_113) == "3.3 MiB")
        #expect(Format.seconds(0.0123) == "12 ms")
        #expect(Format.seconds(14.218) == "14.2 s")
        #expect(Format.seconds(125) == "2 min 5 s")
        #expect(Markup.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
        #expect(Markup.escape("ok\u{7}") == "ok\u{FFFD}")
    }
}
