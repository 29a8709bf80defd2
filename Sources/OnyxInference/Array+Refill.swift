extension Array {
    /// Makes the array `count` elements long, element `i` being
    /// `element(i)`, in the buffer it has: inference refills the same few
    /// lists at every node, and emptying one through `removeAll` costs more
    /// than overwriting it.
    mutating func refill(count: Int, _ element: (Int) -> Element) {
        if self.count > count { removeLast(self.count - count) }
        for index in 0..<count {
            if index < self.count {
                self[index] = element(index)
            } else {
                append(element(index))
            }
        }
    }
}
