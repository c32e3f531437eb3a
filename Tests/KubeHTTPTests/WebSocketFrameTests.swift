import Testing
@testable import KubeHTTP

/// RFC 6455 framing: what the exec client sends and how it reads what servers send.
@Suite struct WebSocketFrameTests {
    /// A server-side reader (expects masked frames) for what the client encodes.
    func serverReads(_ bytes: [UInt8]) throws -> [WebSocketReader.Message] {
        var r = WebSocketReader(expectMasked: true)
        return try r.push(bytes)
    }

    func clientReads(_ bytes: [UInt8], max: Int = 16 << 20) throws(WebSocketProtocolError) -> [WebSocketReader.Message] {
        var r = WebSocketReader(maxMessageSize: max)
        return try r.push(bytes)
    }

    @Test func lengthsOfEachEncodingRoundTripMasked() throws {
        for n in [0, 1, 125, 126, 127, 65_535, 65_536, 200_000] {
            let payload = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 7) }
            let wire = WebSocketFrame(opcode: .binary, payload: payload).encoded(mask: [1, 2, 3, 4])
            let header = n < 126 ? 2 : n <= 65_535 ? 4 : 10
            #expect(wire.count == header + 4 + n)
            #expect(wire[1] & 0x80 != 0, "the mask bit is set")
            if n >= 4 { #expect(Array(wire[(header + 4)...].prefix(4)) != Array(payload.prefix(4)), "the payload is masked on the wire") }
            #expect(try serverReads(wire) == [.binary(payload)])
        }
    }

    @Test func unmaskedServerFramesAreReadAndMaskedOnesRefused() throws {
        let plain = WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded(mask: nil)
        #expect(try clientReads(plain) == [.text(Array("hi".utf8))])
        let masked = WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded(mask: [9, 9, 9, 9])
        #expect(throws: WebSocketProtocolError.self) { try clientReads(masked) }
        var server = WebSocketReader(expectMasked: true)
        #expect(throws: WebSocketProtocolError.self) { try server.push(plain) }
    }

    @Test func aMaskKeyOfTheWrongLengthIsReplacedNotTrusted() throws {
        let wire = WebSocketFrame(opcode: .binary, payload: [1, 2, 3]).encoded(mask: [1])
        #expect(wire.count == 2 + 4 + 3)
        #expect(try serverReads(wire) == [.binary([1, 2, 3])])
    }

    @Test func fragmentsAreReassembledWithControlFramesBetweenThem() throws {
        var bytes: [UInt8] = []
        bytes += WebSocketFrame(fin: false, opcode: .binary, payload: [1, 2]).encoded(mask: nil)
        bytes += WebSocketFrame(opcode: .ping, payload: [7]).encoded(mask: nil)
        bytes += WebSocketFrame(fin: false, opcode: .continuation, payload: [3]).encoded(mask: nil)
        bytes += WebSocketFrame(opcode: .continuation, payload: [4, 5]).encoded(mask: nil)
        bytes += WebSocketFrame(opcode: .pong, payload: []).encoded(mask: nil)
        #expect(try clientReads(bytes) == [.ping([7]), .binary([1, 2, 3, 4, 5]), .pong([])])
    }

    @Test func bytesArrivingOneAtATimeMakeTheSameMessages() throws {
        var bytes: [UInt8] = []
        bytes += WebSocketFrame(opcode: .binary, payload: Array(repeating: 42, count: 300)).encoded(mask: nil)
        bytes += WebSocketFrame(opcode: .text, payload: Array("é".utf8)).encoded(mask: nil)
        var r = WebSocketReader()
        var got: [WebSocketReader.Message] = []
        for b in bytes { got += try r.push([b]) }
        #expect(got == [.binary(Array(repeating: 42, count: 300)), .text(Array("é".utf8))])
    }

    @Test func aTextCharacterSplitAcrossFragmentsIsFineButInvalidUTF8IsRefused() throws {
        let e = Array("é".utf8)
        var split: [UInt8] = []
        split += WebSocketFrame(fin: false, opcode: .text, payload: [e[0]]).encoded(mask: nil)
        split += WebSocketFrame(opcode: .continuation, payload: [e[1]]).encoded(mask: nil)
        #expect(try clientReads(split) == [.text(e)])
        let bad = WebSocketFrame(opcode: .text, payload: [0xFF, 0xFE]).encoded(mask: nil)
        #expect(throws: WebSocketProtocolError(message: "text message is not valid UTF-8", closeCode: 1007)) { try clientReads(bad) }
    }

    @Test func closeFramesCarryCodeAndReason() throws {
        let wire = WebSocketFrame(opcode: .close, payload: WebSocketFrame.closePayload(code: 1000, reason: "bye")).encoded(mask: nil)
        #expect(try clientReads(wire) == [.close(code: 1000, reason: "bye")])
        let empty = WebSocketFrame(opcode: .close, payload: []).encoded(mask: nil)
        #expect(try clientReads(empty) == [.close(code: 1005, reason: "")])
        let app = WebSocketFrame(opcode: .close, payload: WebSocketFrame.closePayload(code: 4000)).encoded(mask: nil)
        #expect(try clientReads(app) == [.close(code: 4000, reason: "")])
    }

    @Test(arguments: [UInt16(0), 999, 1004, 1005, 1006, 1015, 2999, 5000])
    func closeCodesNoPeerMaySendAreProtocolErrors(_ code: UInt16) throws {
        let wire = WebSocketFrame(opcode: .close, payload: WebSocketFrame.closePayload(code: code)).encoded(mask: nil)
        do {
            _ = try clientReads(wire)
            Issue.record("close code \(code) was accepted")
        } catch {
            #expect(error.closeCode == 1002)
        }
    }

    @Test func malformedCloseFramesAreRefused() throws {
        let oneByte = WebSocketFrame(opcode: .close, payload: [3]).encoded(mask: nil)
        #expect(throws: WebSocketProtocolError.self) { try clientReads(oneByte) }
        let badReason = WebSocketFrame(opcode: .close, payload: [0x03, 0xE8, 0xC3]).encoded(mask: nil)
        do { _ = try clientReads(badReason); Issue.record("accepted") } catch { #expect(error.closeCode == 1007) }
    }

    @Test func longCloseReasonsAreCutToFitAControlFrame() throws {
        let payload = WebSocketFrame.closePayload(code: 1000, reason: String(repeating: "é", count: 100))
        #expect(payload.count <= 125)
        let wire = WebSocketFrame(opcode: .close, payload: payload).encoded(mask: nil)
        guard case .close(1000, let reason) = try clientReads(wire).first else { Issue.record("no close"); return }
        #expect(reason.allSatisfy { $0 == "é" } && !reason.isEmpty)
    }

    @Test func oversizedFramesAndMessagesAreRefusedWith1009() throws {
        let big = WebSocketFrame(opcode: .binary, payload: Array(repeating: 0, count: 2_000)).encoded(mask: nil)
        do { _ = try clientReads(big, max: 1_000); Issue.record("accepted") } catch { #expect(error.closeCode == 1009) }
        // A 64-bit length is refused from the header alone, before the payload arrives.
        let header: [UInt8] = [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]
        do { _ = try clientReads(header, max: 1_000); Issue.record("accepted") } catch { #expect(error.closeCode == 1009) }
        var fragments: [UInt8] = []
        fragments += WebSocketFrame(fin: false, opcode: .binary, payload: Array(repeating: 0, count: 600)).encoded(mask: nil)
        fragments += WebSocketFrame(opcode: .continuation, payload: Array(repeating: 0, count: 600)).encoded(mask: nil)
        do { _ = try clientReads(fragments, max: 1_000); Issue.record("accepted") } catch { #expect(error.closeCode == 1009) }
    }

    @Test func framingViolationsAreProtocolErrors() throws {
        let reserved: [UInt8] = [0xC2, 0]
        let unknownOpcode: [UInt8] = [0x83, 0]
        let longPing: [UInt8] = [0x89, 126, 0, 126] + Array(repeating: 0, count: 126)
        let fragmentedPing: [UInt8] = [0x09, 0]
        let strayContinuation: [UInt8] = [0x80, 0]
        let nested = WebSocketFrame(fin: false, opcode: .binary, payload: [1]).encoded(mask: nil)
            + WebSocketFrame(opcode: .binary, payload: [2]).encoded(mask: nil)
        for bytes in [reserved, unknownOpcode, longPing, fragmentedPing, strayContinuation, nested] {
            do { _ = try clientReads(bytes); Issue.record("accepted \(bytes.prefix(4))") } catch { #expect(error.closeCode == 1002) }
        }
    }

    @Test func incompleteFramesWaitForTheirBytes() throws {
        let wire = WebSocketFrame(opcode: .binary, payload: Array(repeating: 5, count: 70_000)).encoded(mask: nil)
        var r = WebSocketReader()
        #expect(try r.push(Array(wire.prefix(5))) == [])
        #expect(try r.push(Array(wire[5..<40_000])) == [])
        #expect(try r.push(Array(wire[40_000...])) == [.binary(Array(repeating: 5, count: 70_000))])
    }
}
