import Platform
import Testing

/// The line diff `yopf plan --cluster` shows objects with: hunks as `diff -u` numbers them.
@Suite struct LineDiffTests {
    @Test func equalTextsHaveNoDiff() {
        #expect(LineDiff.unified("a\nb\n", "a\nb\n") == "")
    }

    @Test func aChangeShowsWithItsContextAndItsLineNumbers() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = (1...10).map { $0 == 5 ? "line five" : "line \($0)" }.joined(separator: "\n") + "\n"
        #expect(LineDiff.unified(old, new, context: 2) == """
            @@ -3,5 +3,5 @@
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7

            """)
    }

    @Test func distantChangesMakeTwoHunksAndAdditionsCountOnlyInTheNewText() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n"
        let new = "A\nb\nc\nd\ne\nf\ng\nh\ni\n"
        #expect(LineDiff.unified(old, new, context: 1) == """
            @@ -1,2 +1,2 @@
            -a
            +A
             b
            @@ -8,1 +8,2 @@
             h
            +i

            """)
    }

    @Test func fromNothingEverythingIsAdded() {
        #expect(LineDiff.lines([], ["x", "y"]) == [.added("x"), .added("y")])
        #expect(LineDiff.lines(["x"], []) == [.removed("x")])
    }
}
