import Foundation
import Testing
@testable import TesseraReport

@Suite struct ChartTests {
    @Test func scaleMapsDomainEndsToRangeEnds() {
        let s = LinearScale(domain: (lo: 2, hi: 10), range: (from: 300, to: 20))
        #expect(s(2) == 300)
        #expect(s(10) == 20)
        #expect(s(6) == 160)
        // A zero-width domain maps to the middle instead of dividing by zero.
        #expect(LinearScale(domain: (lo: 1, hi: 1), range: (from: 0, to: 100))(1) == 50)
    }

    @Test func niceAxisCoversDataWithRoundTicks() {
        let a = NiceAxis(covering: [3.2, 17.9, .nan, .infinity])
        #expect(a.lo <= 3.2 && a.hi >= 17.9)
        #expect(a.ticks.first == a.lo && a.ticks.last == a.hi)
        #expect(a.step == 5 && a.ticks == [0, 5, 10, 15, 20])
        let small = NiceAxis(covering: [0.1, 0.3], tickCount: 5)
        #expect(small.ticks == [0.1, 0.15, 0.2, 0.25, 0.3])
        let zero = NiceAxis(covering: [5, 7], includeZero: true)
        #expect(zero.lo == 0)
        let rounds = NiceAxis(covering: [1, 2, 3, 4, 5], tickCount: 8, integer: true)
        #expect(rounds.ticks == [1, 2, 3, 4, 5])
    }

    @Test func degenerateAxes() {
        let one = NiceAxis(covering: [0.71])
        #expect(one.lo < 0.71 && one.hi > 0.71)
        let zeros = NiceAxis(covering: [0, 0], includeZero: true)
        #expect(zeros.lo == 0 && zeros.hi == 1)
        let empty = NiceAxis(covering: [])
        #expect(empty.lo == 0 && empty.hi == 1)
        let singleRound = NiceAxis(covering: [1], integer: true)
        #expect(singleRound.ticks.contains(1) && singleRound.lo < 1 && singleRound.hi > 1)
        #expect(singleRound.ticks.allSatisfy { $0 == $0.rounded() })
    }

    @Test func lineChartPutsDataInsideThePlotArea() throws {
        let chart = LineChart(
            id: "t", title: "t", description: "d", xLabel: "Round", yLabel: "ε",
            series: [.init(name: "a", points: [(1, 0.4), (2, 0.9), (3, 1.7)], colour: "#000", marker: .circle)],
            references: [.init(y: 2, colour: "#000", tooltip: "budget")], legend: [])
        let l = chart.layout()
        // Axis ends map exactly onto the plot area's edges.
        #expect(l.x(l.xAxis.lo) == l.area.left && l.x(l.xAxis.hi) == l.area.right)
        #expect(l.y(l.yAxis.lo) == l.area.bottom && l.y(l.yAxis.hi) == l.area.top)
        #expect(l.yAxis.hi >= 2)  // the budget line is on the chart
        #expect(l.xAxis.lo == 1 && l.xAxis.hi == 3)
        let check = XMLCheck.parse(chart.render())
        #expect(check.ok)
        let points = try #require(check.named("polyline").first?.attributes["points"])
        let xy = points.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(xy.count == 3)
        for p in xy {
            #expect(p[0] >= l.area.left - 0.05 && p[0] <= l.area.right + 0.05)
            #expect(p[1] >= l.area.top - 0.05 && p[1] <= l.area.bottom + 0.05)
        }
        // First round on the left edge, last on the right.
        #expect(abs(xy[0][0] - l.area.left) < 0.06 && abs(xy[2][0] - l.area.right) < 0.06)
    }

    @Test func barHeightsAreProportional() throws {
        let chart = BarChart(id: "b", title: "t", description: "d", categories: ["p1", "p2"],
                             series: [.init(name: "sent", values: [100, 50], colour: "#000")], yLabel: "bytes")
        let l = chart.layout()
        #expect(l.axis.lo == 0 && l.axis.hi == 100)
        let bars = XMLCheck.parse(chart.render()).named("rect")
        #expect(bars.count == 2)
        let heights = bars.map { Double($0.attributes["height"]!)! }
        #expect(abs(heights[0] - l.area.height) < 0.06)
        #expect(abs(heights[0] - 2 * heights[1]) < 0.15)
    }

    @Test func horizontalBarsStartAtZero() {
        let chart = HorizontalBarChart(id: "h", title: "t", description: "d", labels: ["a", "b"], values: [4, 8], xLabel: "s")
        let l = chart.layout()
        let bars = XMLCheck.parse(chart.render()).named("rect")
        #expect(bars.count == 2)
        #expect(bars.allSatisfy { abs(Double($0.attributes["x"]!)! - l.area.left) < 0.06 })
        #expect(abs(Double(bars[1].attributes["width"]!)! - l.area.width) < 0.06)
    }
}

@Suite struct ExtremeAxisTests {
    @Test func spansBeyondDoubleRangeDoNotTrap() {
        let a = NiceAxis(covering: [-1e308, 1e308])
        #expect(a.lo <= -1e308 && a.hi >= 1e308)
        #expect(a.ticks.count >= 2 && a.ticks.count <= 20)
    }
}
