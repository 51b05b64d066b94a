import Foundation
import Testing
import TesseraTransport

/// The coordinator's per-connection queue: bounded in messages and in bytes, in order, and
/// emptied as the writer writes.
@Suite struct OutgoingQueueTests {
    @Test func aPeerThatStopsReadingIsFullByMessagesOrByBytes() {
        let byCount = OutgoingQueue(messageLimit: 3, byteLimit: 1 << 20)
        #expect((0..<3).map { _ in byCount.enqueue(Data(count: 10)) } == [.queued, .queued, .queued])
        #expect(byCount.enqueue(Data(count: 10)) == .full)
        #expect(byCount.pending == (3, 30))
        #expect(byCount.enqueue(Data(count: 1)) == .finished)  // full is said once

        let byBytes = OutgoingQueue(messageLimit: 64, byteLimit: 1000)
        #expect(byBytes.enqueue(Data(count: 600)) == .queued)
        #expect(byBytes.enqueue(Data(count: 400)) == .queued)  // exactly at the limit
        #expect(byBytes.enqueue(Data(count: 1)) == .full)
        #expect(byBytes.pending == (2, 1000))

        // A frame larger than the byte limit still goes out when nothing else waits.
        let big = OutgoingQueue(messageLimit: 64, byteLimit: 100)
        #expect(big.enqueue(Data(count: 5000)) == .queued)
        #expect(big.enqueue(Data(count: 1)) == .full)
    }

    @Test func writtenMessagesLeaveInOrderAndFreeTheirRoom() async {
        let queue = OutgoingQueue(messageLimit: 2, byteLimit: 100)
        let written = Box()
        #expect(queue.enqueue(Data([1])) == .queued)
        #expect(queue.enqueue(Data([2, 2])) == .queued)
        let writer = Task { await queue.drain({ await written.append($0) }, onFailure: { _ in }) }
        while await written.count < 2 { await Task.yield() }
        #expect(queue.pending == (0, 0))
        #expect(queue.enqueue(Data([3, 3, 3])) == .queued)
        queue.finish()
        await writer.value
        #expect(await written.items == [Data([1]), Data([2, 2]), Data([3, 3, 3])])
        #expect(queue.pending == (0, 0))
        #expect(queue.enqueue(Data([4])) == .finished)
    }

    @Test func aFullQueueIsFinishedAndItsWriterEndsAfterWhatItHeld() async {
        let queue = OutgoingQueue(messageLimit: 2, byteLimit: 100)
        let written = Box()
        #expect(queue.enqueue(Data([1])) == .queued)
        #expect(queue.enqueue(Data([2])) == .queued)
        #expect(queue.enqueue(Data([3])) == .full)
        await queue.drain({ await written.append($0) }, onFailure: { _ in })
        #expect(await written.items == [Data([1]), Data([2])])
        #expect(queue.enqueue(Data([4])) == .finished)
    }

    @Test func aFailedWriteIsReportedAndTheNextMessageTried() async {
        let queue = OutgoingQueue(messageLimit: 8, byteLimit: 100)
        let written = Box()
        for byte: UInt8 in [1, 2, 3] { _ = queue.enqueue(Data([byte])) }
        queue.finish()
        var failures = 0
        await queue.drain({ data in
            if data == Data([2]) { throw CancellationError() }
            await written.append(data)
        }, onFailure: { _ in failures += 1 })
        #expect(failures == 1)
        #expect(await written.items == [Data([1]), Data([3])])
        #expect(queue.pending == (0, 0))
    }

    actor Box {
        var items: [Data] = []
        var count: Int { items.count }
        func append(_ data: Data) { items.append(data) }
    }
}

extension OutgoingQueueTests {
    /// A sender of parts waits for room: woken when the writer has brought the unwritten bytes
    /// down to what it asked for, or told the queue finished (nothing more will go out).
    @Test func aSenderWaitsForRoomOrForTheEnd() async {
        let queue = OutgoingQueue(messageLimit: 64, byteLimit: 1000)
        #expect(await queue.waitForRoom(unwrittenAtMost: 0))  // empty: at once
        #expect(queue.enqueue(Data(count: 300)) == .queued)
        #expect(queue.enqueue(Data(count: 300)) == .queued)
        let gate = Gate()
        let writer = Task { await queue.drain({ _ in await gate.pass() }, onFailure: { _ in }) }
        let waiter = Task { await queue.waitForRoom(unwrittenAtMost: 300) }
        while queue.pending.bytes == 600, await !gate.waiting { await Task.yield() }
        await gate.open(1)  // one message written: 300 unwritten, the waiter's bound
        #expect(await waiter.value)
        #expect(queue.pending == (1, 300))

        let stuck = Task { await queue.waitForRoom(unwrittenAtMost: 0) }
        try? await Task.sleep(for: .milliseconds(20))
        queue.finish()
        #expect(await stuck.value == false)
        #expect(await queue.waitForRoom(unwrittenAtMost: 1 << 30) == false)  // finished: never room again
        await gate.open(1)
        await writer.value
        #expect(queue.pending == (0, 0))
    }

    /// Lets `pass` through as many times as opened.
    actor Gate {
        var permits = 0
        var parked: [CheckedContinuation<Void, Never>] = []
        var waiting: Bool { !parked.isEmpty }
        func pass() async {
            if permits > 0 { permits -= 1; return }
            await withCheckedContinuation { parked.append($0) }
        }
        func open(_ n: Int) {
            for _ in 0..<n {
                if parked.isEmpty { permits += 1 } else { parked.removeFirst().resume() }
            }
        }
    }
}
