// chan_bench.go - the reference column of `make bench`: the workloads of
// bench/chan_bench.c on Go's own channels, built by bench/run.sh with the
// system's Go on the same machine in the same run.
//
//	go build -o chan_bench_go chan_bench.go
//	chan_bench_go MODE [ITEMS]
//
// MODE is pingpong, buf1x1, buf4x4 or select4 (bench/README.md); ITEMS
// defaults per mode.  GOMAXPROCS is left at Go's default (the number of
// CPUs).  Prints one line of key=value pairs, as the C programs do:
//
//	bench=chan impl=go mode=buf1x1 ops=2000000 ns=... ns_per_op=...
//	ops_per_s=... gomaxprocs=2
//
// (one line; wrapped here).
//
// Every item is checked to arrive exactly once (count and sum); on a
// mismatch the program exits 1.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

const qcap = 128 // the same capacity as libgoc's and the queue's

func die(msg string) {
	fmt.Fprintf(os.Stderr, "chan_bench_go: %s\n", msg)
	os.Exit(1)
}

// gate lets the clock start only once every goroutine is running, as the
// C programs' start barrier does.
type gate struct {
	ready sync.WaitGroup
	start chan struct{}
}

func newGate(n int) *gate {
	g := &gate{start: make(chan struct{})}
	g.ready.Add(n)
	return g
}

func (g *gate) wait() {
	g.ready.Done()
	<-g.start
}

func (g *gate) open() time.Time {
	g.ready.Wait()
	t0 := time.Now()
	close(g.start)
	return t0
}

// Main is the pinger: one op is one round trip (two transfers).
func pingpong(items int64) time.Duration {
	ping := make(chan int64)
	pong := make(chan int64)
	g := newGate(1)
	go func() {
		g.wait()
		for v := range ping {
			pong <- v
		}
	}()
	t0 := g.open()
	for i := int64(0); i < items; i++ {
		ping <- i
		if v := <-pong; v != i {
			die("pingpong: wrong reply")
		}
	}
	d := time.Since(t0)
	close(ping)
	return d
}

// nprod producers and ncons consumers on one channel; producer id sends
// id, id+nprod, ... below items, so together they send 0..items-1 once.
// The clock stops when every consumer has seen the channel closed.
func buffered(items int64, nprod, ncons int) time.Duration {
	ch := make(chan int64, qcap)
	g := newGate(nprod + ncons)
	var prods, conss sync.WaitGroup
	counts := make([]int64, ncons)
	sums := make([]int64, ncons)
	for p := 0; p < nprod; p++ {
		prods.Add(1)
		go func(id int64) {
			defer prods.Done()
			g.wait()
			for v := id; v < items; v += int64(nprod) {
				ch <- v
			}
		}(int64(p))
	}
	for c := 0; c < ncons; c++ {
		conss.Add(1)
		go func(id int) {
			defer conss.Done()
			g.wait()
			var n, s int64
			for v := range ch {
				n++
				s += v
			}
			counts[id], sums[id] = n, s
		}(c)
	}
	t0 := g.open()
	prods.Wait()
	close(ch)
	conss.Wait()
	d := time.Since(t0)
	var n, s int64
	for c := 0; c < ncons; c++ {
		n += counts[c]
		s += sums[c]
	}
	if n != items || s != items*(items-1)/2 {
		die("buffered: items lost or duplicated")
	}
	return d
}

// Four producers, each on its own buffered channel, and one consumer that
// selects over the four receives, dropping each channel (nil) once closed.
func select4(items int64) time.Duration {
	var chs [4]chan int64
	for i := range chs {
		chs[i] = make(chan int64, qcap)
	}
	g := newGate(5)
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func(id int64) {
			defer wg.Done()
			g.wait()
			for v := id; v < items; v += 4 {
				chs[id] <- v
			}
			close(chs[id])
		}(int64(p))
	}
	var n, s int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		g.wait()
		c0, c1, c2, c3 := chs[0], chs[1], chs[2], chs[3]
		for open := 4; open > 0; {
			var v int64
			var ok bool
			select {
			case v, ok = <-c0:
				if !ok {
					c0 = nil
				}
			case v, ok = <-c1:
				if !ok {
					c1 = nil
				}
			case v, ok = <-c2:
				if !ok {
					c2 = nil
				}
			case v, ok = <-c3:
				if !ok {
					c3 = nil
				}
			}
			if !ok {
				open--
				continue
			}
			n++
			s += v
		}
	}()
	t0 := g.open()
	wg.Wait()
	d := time.Since(t0)
	if n != items || s != items*(items-1)/2 {
		die("select4: items lost or duplicated")
	}
	return d
}

func main() {
	defaults := map[string]int64{
		"pingpong": 200000,
		"buf1x1":   2000000,
		"buf4x4":   2000000,
		"select4":  2000000,
	}
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr,
			"usage: chan_bench_go pingpong|buf1x1|buf4x4|select4 [ITEMS]")
		os.Exit(2)
	}
	mode := os.Args[1]
	items, known := defaults[mode]
	if !known {
		die("unknown mode (pingpong, buf1x1, buf4x4, select4)")
	}
	if len(os.Args) == 3 {
		n, err := strconv.ParseInt(os.Args[2], 10, 64)
		if err != nil || n <= 0 {
			die("ITEMS must be a positive number")
		}
		items = n
	}

	var d time.Duration
	switch mode {
	case "pingpong":
		d = pingpong(items)
	case "buf1x1":
		d = buffered(items, 1, 1)
	case "buf4x4":
		d = buffered(items, 4, 4)
	case "select4":
		d = select4(items)
	}
	ns := d.Nanoseconds()
	fmt.Printf("bench=chan impl=go mode=%s ops=%d ns=%d ns_per_op=%.1f "+
		"ops_per_s=%.0f gomaxprocs=%d\n",
		mode, items, ns, float64(ns)/float64(items),
		float64(items)*1e9/float64(ns), runtime.GOMAXPROCS(0))
}
