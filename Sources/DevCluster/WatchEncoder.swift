import JSONValue
import Kube

/// Watch events as kube-apiserver streams them: one JSON object per line, each its own
/// chunk, objects rendered as Tables when the client asked for them.
enum WatchEncoder {
    static func response(_ events: AsyncThrowingStream<WatchEvent, any Error>, rendering: MediaType.ObjectRendering,
                         tables: TableRenderer) -> APIResponse {
        let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                do {
                    for try await event in events {
                        var out = try await encode(event, rendering: rendering, tables: tables)
                        out.append(0x0A)
                        continuation.yield(out)
                    }
                } catch let error as KubeError {
                    var out = WatchEvent(type: .error, object: error.status).json.serializedBytes()
                    out.append(0x0A)
                    continuation.yield(out)
                } catch {
                    // Cancelled (the client went away) or a store failure: end the stream.
                }
                continuation.finish()
            }
            // The consumer stopped (client disconnected): stop consuming the store's stream.
            continuation.onTermination = { _ in task.cancel() }
        }
        let type: String
        switch rendering {
        case .json: type = MediaType.json
        case .table: type = MediaType.tableV1
        }
        return .stream(status: 200, contentType: type, chunks: chunks)
    }

    static func encode(_ event: WatchEvent, rendering: MediaType.ObjectRendering, tables: TableRenderer) async throws -> [UInt8] {
        switch (rendering, event.type) {
        case (.table, .added), (.table, .modified), (.table, .deleted):
            let table = try await tables.table(single: event.object)
            return WatchEvent(type: event.type, object: table).json.serializedBytes()
        default:
            return event.json.serializedBytes()
        }
    }
}
