// golden.cpp records how libstdc++'s std::priority_queue arranges its
// backing vector, so that the Go package stdheap can be checked against it
// without a C++ compiler at test time. See README.md next to this file.
//
// Elements are (key, id) pairs and the comparator looks at key only, so many
// elements tie; which tied id comes out first depends purely on the sift
// algorithm, which is exactly what the Go port must reproduce.
//
// Output format (heap_test.go writes the very same text):
//   script NAME                 starts a script
//   push K:I                    one push
//   pop K:I                     one pop and the element it returned
//   build K:I ...               queue rebuilt by the range constructor
//   heap K:I ...                the backing vector after the line above
// An empty list is written as "-".

#include <cstdint>
#include <cstdio>
#include <queue>
#include <string>
#include <vector>

namespace {

struct Item {
    int key;
    int id;
};

struct KeyLess {
    bool operator()(const Item& a, const Item& b) const { return a.key < b.key; }
};

using Base = std::priority_queue<Item, std::vector<Item>, KeyLess>;

// Queue opens up the protected container so its layout can be printed.
struct Queue : Base {
    Queue() = default;
    template <typename It>
    Queue(It first, It last) : Base(first, last) {}
    const std::vector<Item>& array() const { return c; }
};

// Rng is a 64-bit xorshift generator; heap_test.go carries a twin.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
};

std::string list(const std::vector<Item>& v) {
    if (v.empty()) return "-";
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ' ';
        out += std::to_string(v[i].key) + ":" + std::to_string(v[i].id);
    }
    return out;
}

struct Script {
    Queue q;
    int nextId = 0;

    explicit Script(const char* name) { std::printf("script %s\n", name); }

    void layout() { std::printf("heap %s\n", list(q.array()).c_str()); }

    void push(int key) {
        Item it{key, nextId++};
        q.push(it);
        std::printf("push %d:%d\n", it.key, it.id);
        layout();
    }

    Item pop() {
        Item it = q.top();
        q.pop();
        std::printf("pop %d:%d\n", it.key, it.id);
        layout();
        return it;
    }

    void build(const std::vector<Item>& v) {
        q = Queue(v.begin(), v.end());
        std::printf("build %s\n", list(v).c_str());
        layout();
    }

    std::vector<Item> fresh(Rng& r, int n, int keys) {
        std::vector<Item> v;
        for (int i = 0; i < n; ++i) v.push_back(Item{r.below(keys), nextId++});
        return v;
    }
};

// Lots of pushes over a handful of keys, then the queue is emptied.
void bulk() {
    Rng r(0x9E3779B97F4A7C15ull);
    Script s("bulk");
    for (int i = 0; i < 120; ++i) s.push(r.below(4));
    while (!s.q.empty()) s.pop();
}

// Random mix of pushes and pops, biased towards pushes.
void interleaved() {
    Rng r(0xD1B54A32D192ED03ull);
    Script s("interleaved");
    for (int i = 0; i < 400; ++i) {
        if (s.q.empty() || r.below(100) < 58) {
            s.push(r.below(5));
        } else {
            s.pop();
        }
    }
    while (!s.q.empty()) s.pop();
}

// make_heap through the range constructor for every size 0..40, then drain.
void ranges() {
    Rng r(0x2545F4914F6CDD1Dull);
    Script s("ranges");
    for (int n = 0; n <= 40; ++n) {
        s.build(s.fresh(r, n, 3));
        while (!s.q.empty()) s.pop();
    }
}

// Drain everything in order, forget some of it, rebuild from what is left
// with the range constructor, then keep pushing and popping; several rounds.
void rebuild() {
    Rng r(0x0123456789ABCDEFull);
    Script s("rebuild");
    for (int i = 0; i < 60; ++i) s.push(r.below(4));
    for (int round = 0; round < 6; ++round) {
        std::vector<Item> kept;
        while (!s.q.empty()) {
            Item it = s.pop();
            if (r.below(3) != 0) kept.push_back(it);
        }
        s.build(kept);
        int extra = 5 + r.below(20);
        for (int i = 0; i < extra; ++i) {
            if (r.below(100) < 70) {
                s.push(r.below(4));
            } else if (!s.q.empty()) {
                s.pop();
            }
        }
    }
    while (!s.q.empty()) s.pop();
}

}  // namespace

int main() {
    bulk();
    interleaved();
    ranges();
    rebuild();
    return 0;
}
