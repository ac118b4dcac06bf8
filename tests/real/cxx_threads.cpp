// cxx_threads.cpp - C++11 threads as C++ programs use them: a bounded
// queue made of std::mutex and two std::condition_variable, producers and
// consumers in std::thread, a std::lock_guard'd result map, std::async,
// and a pair of mutexes always taken together with std::scoped_lock.
// Every thread is joined.  What it prints does not depend on the
// schedule.
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

class BoundedQueue {
public:
    explicit BoundedQueue(size_t cap) : cap_(cap) {}
    void push(long v) {
        std::unique_lock<std::mutex> l(m_);
        not_full_.wait(l, [&] { return q_.size() < cap_; });
        q_.push_back(v);
        not_empty_.notify_one();
    }
    bool pop(long &v) {
        std::unique_lock<std::mutex> l(m_);
        not_empty_.wait(l, [&] { return !q_.empty() || closed_; });
        if (q_.empty())
            return false;
        v = q_.front();
        q_.pop_front();
        not_full_.notify_one();
        return true;
    }
    void close() {
        std::lock_guard<std::mutex> l(m_);
        closed_ = true;
        not_empty_.notify_all();
    }
private:
    std::mutex m_;
    std::condition_variable not_full_, not_empty_;
    std::deque<long> q_;
    size_t cap_;
    bool closed_ = false;
};

static uint64_t mix(uint64_t h)
{
    for (int i = 0; i < 2000; i++)
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
    return h >> 33;
}

int main()
{
    BoundedQueue q(8);
    std::mutex results_m;
    std::map<long, uint64_t> results;

    std::vector<std::thread> consumers;
    for (int c = 0; c < 3; c++)
        consumers.emplace_back([&] {
            long v;
            while (q.pop(v)) {
                uint64_t h = mix(v);
                std::lock_guard<std::mutex> l(results_m);
                results[v] = h;
            }
        });
    std::vector<std::thread> producers;
    for (int p = 0; p < 2; p++)
        producers.emplace_back([&q, p] {
            for (long i = p; i < 4000; i += 2)
                q.push(i);
        });
    for (auto &t : producers)
        t.join();
    q.close();
    for (auto &t : consumers)
        t.join();

    // two accounts, transfers both ways, each taking both locks at once
    std::mutex a_m, b_m;
    long a = 1000, b = 1000;
    auto transfer = [&](bool ab, int n) {
        for (int i = 0; i < n; i++) {
            std::scoped_lock l(a_m, b_m);
            if (ab) { a -= 3; b += 3; } else { b -= 2; a += 2; }
        }
    };
    std::thread t1(transfer, true, 5000), t2(transfer, false, 5000);
    t1.join();
    t2.join();

    auto f1 = std::async(std::launch::async, [] { return mix(1); });
    auto f2 = std::async(std::launch::async, [] { return mix(2); });
    uint64_t fs = f1.get() ^ f2.get();

    uint64_t sum = 0;
    for (auto &kv : results)
        sum += kv.second;
    std::printf("items: %zu, hash sum: %llu\n", results.size(),
                (unsigned long long)sum);
    std::printf("accounts: %ld %ld (total %ld)\n", a, b, a + b);
    std::printf("async: %llu\n", (unsigned long long)fs);
    return 0;
}
