import DTIFormats
import Foundation
import Testing

func csv(_ text: String) throws -> [[String]] { try csv(Data(text.utf8)) }
func csv(_ bytes: Data) throws -> [[String]] {
    var r = CSVReader(data: bytes, name: "t.csv")
    return try r.readAll().map(\.fields)
}
func csvError(_ bytes: Data) -> FormatError? {
    do { _ = try csv(bytes); return nil } catch { return error as? FormatError }
}

@Suite("CSV reading and writing")
struct CSVTests {
    @Test("A BOM is skipped; comma or semicolon is detected from the header; quotes, doubled quotes and newlines in fields")
    func dialects() throws {
        #expect(try csv("\u{FEFF}a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try csv("a;b\n\"0,5\";x\n") == [["a", "b"], ["0,5", "x"]])
        #expect(try csv("a,b\r\n\"He said \"\"có\"\"\",\"two\nlines\"\r\n") == [["a", "b"], ["He said \"có\"", "two\nlines"]])
        #expect(try csv("a,b\n1,\n") == [["a", "b"], ["1", ""]])
    }

    @Test("Vietnamese text is read verbatim, byte for byte (NFC normalisation is the loader's job)")
    func vietnamese() throws {
        let nfc = "Xã Hương Hữu – Thừa Thiên Huế"
        #expect(Array(try csv("name\n\(nfc)\n")[1][0].utf8) == Array(nfc.utf8))
        let nfd = nfc.decomposedStringWithCanonicalMapping
        #expect(Array(try csv("name\n\(nfd)\n")[1][0].unicodeScalars) == Array(nfd.unicodeScalars))
    }

    @Test("Invalid UTF-8 is refused with its byte offset, line and column; no encoding is guessed")
    func invalidUTF8() throws {
        var bytes = Data("unit,name\nx,".utf8)
        bytes.append(contentsOf: [0x58, 0xE3, 0x20])  // "X", then a Windows-1258 byte
        bytes.append(Data("\n".utf8))
        let e = try #require(csvError(bytes))
        #expect(e.code == "csv.utf8")
        #expect(e.location == "2:4")
        #expect(e.reasonVi.contains("vị trí 13"))
    }

    @Test("A NUL byte and an unterminated quote are refused with their line")
    func nulAndQuote() throws {
        #expect(csvError(Data("a,b\n1,\u{0}\n".utf8))?.code == "csv.nul")
        let quote = try #require(csvError(Data("a,b\n1,\"open\n2,3\n".utf8)))
        #expect(quote.code == "csv.quote" && quote.location == "2")
    }

    @Test("The writer quotes what needs quoting, and what it writes reads back the same")
    func roundTrip() throws {
        let rows = [["mã", "tên", "giá trị"], ["1,1", "Xã \"mẫu\"", "0,5"], ["x", "hai\ndòng", ""]]
        let text = CSVWriter.encode(rows, bom: true)
        #expect(text.hasPrefix("\u{FEFF}"))
        #expect(try csv(text) == rows)
    }
}
