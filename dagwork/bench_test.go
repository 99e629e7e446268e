package dagwork_test

import (
	"fmt"
	"testing"

	"github.com/stellarwork/stellarwork/dagwork"
)

// BenchmarkNewWideNode is issue 15's case of dagwork.New: one node that
// depends on N others, each listed once. New de-duplicates each node's
// dependencies; with a scan of the ones kept so far that was quadratic in
// N (6.9 s at N = 100,000); it must be linear in the edges. ns/op is per
// New; ns/edge divides by N.
func BenchmarkNewWideNode(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("deps=%d", n), func(b *testing.B) {
			app, _ := newApp(b)
			nodes := make([]dagwork.Node, 0, n+1)
			deps := make([]string, 0, n)
			for i := range n {
				name := fmt.Sprintf("n%d", i)
				nodes = append(nodes, dagwork.Node{Work: newLogWork(app, name, nil)})
				deps = append(deps, name)
			}
			nodes = append(nodes, dagwork.Node{Work: newLogWork(app, "wide", nil), Deps: deps})
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := dagwork.New(app, "dag", nodes); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/edge")
		})
	}
}
