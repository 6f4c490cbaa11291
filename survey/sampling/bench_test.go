package sampling

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// benchDistricts are twelve strata of unequal size, like a city's
// districts and counties.
var benchDistricts = []string{"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县"}

// benchFrame writes an n-row frame CSV from a seeded source: ids in random
// order, districts with weights 1…12, gender, age band and a mobile number.
func benchFrame(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	buf.Grow(n * 48)
	buf.WriteString("\ufeffid,district,gender,age_band,contact\n")
	genders := []string{"男", "女"}
	for _, p := range r.Perm(n) {
		w := r.IntN(78) // Σ 1…12 = 78
		d := 0
		for k := 1; w >= k; k++ {
			w -= k
			d++
		}
		fmt.Fprintf(&buf, "R%08d,%s,%s,%s,1%d%09d\n", p, benchDistricts[d], genders[r.IntN(2)], AgeBands[r.IntN(4)], 3+r.IntN(7), r.IntN(1e9))
	}
	return buf.Bytes()
}

// BenchmarkImportAndDraw1M imports a 1,000,000-row frame and draws a
// 2,000-case proportional sample with floor 150, cap 600 and 20% reserve.
// It reports the largest heap in use seen after the import and after the
// draw (peak-heap-MB), the previous iteration's garbage collected first.
func BenchmarkImportAndDraw1M(b *testing.B) {
	data := benchFrame(1_000_000)
	plan := Plan{Total: 2000, Allocation: Proportional, Floor: 150, Cap: 600, Reserve: 0.2}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var peak uint64
	var ms runtime.MemStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Free the previous iteration's frame so the peak is one run's.
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		f, errs, err := ReadFrame(bytes.NewReader(data), FrameOptions{Districts: benchDistricts})
		if err != nil || len(errs) != 0 {
			b.Fatalf("got %v, %d row errors", err, len(errs))
		}
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		a, err := Allocate(plan, f.Counts(ColDistrict))
		if err != nil {
			b.Fatal(err)
		}
		s, err := Draw(f, a, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		if len(s.Cases) != 2400 {
			b.Fatalf("got %d cases, want 2400", len(s.Cases))
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
