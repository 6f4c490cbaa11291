package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Regress fits the design-based linear regression of y on an intercept and
// the columns of x, using the rows where y and every x are not missing and
// in is true (in nil: every row); the other rows are dropped as a domain.
// It returns one estimate per coefficient, the intercept first:
//
//	β = (XᵀWX)⁻¹ XᵀWy,   z_ij = [(XᵀWX)⁻¹ x_i e_i]_j,   e_i = y_i − x_i'β
//
// With replicate weights β is refitted per replicate. Matches R
// survey::svyglm(y ~ x1 + …, design) (gaussian).
func (d *Design) Regress(y []float64, x [][]float64, in []bool) ([]Estimate, error) {
	if len(y) != d.n || (in != nil && len(in) != d.n) {
		panic("stats: Regress: y or in has the wrong number of rows")
	}
	for j, c := range x {
		if len(c) != d.n {
			panic(fmt.Sprintf("stats: Regress: x[%d] has %d rows, want %d", j, len(c), d.n))
		}
	}
	p := len(x) + 1
	use := make([]bool, d.n)
	nuse := 0
	for i := range y {
		ok := !math.IsNaN(y[i]) && (in == nil || in[i])
		for _, c := range x {
			if !ok {
				break
			}
			ok = !math.IsNaN(c[i])
		}
		use[i] = ok
		if ok && d.w[i] != 0 {
			nuse++
		}
	}
	if nuse < p {
		return nil, fmt.Errorf("regression has %d usable rows for %d coefficients", nuse, p)
	}
	row := make([]float64, p)
	xi := func(i int) []float64 {
		row[0] = 1
		for j, c := range x {
			row[j+1] = c[i]
		}
		return row
	}
	fit := func(w []float64) (beta []float64, ainv *mat.Dense, err error) {
		// XᵀWX and XᵀWy in plain slices (the upper triangle, row by row),
		// the same sums in the same order as through mat's accessors.
		as := make([]float64, p*p)
		bs := make([]float64, p)
		for i := range y {
			if !use[i] || w[i] == 0 {
				continue
			}
			r := xi(i)
			wi, yi := w[i], y[i]
			for j := 0; j < p; j++ {
				bs[j] += wi * r[j] * yi
				aj := as[j*p : j*p+p]
				for k := j; k < p; k++ {
					aj[k] += wi * r[j] * r[k]
				}
			}
		}
		a := mat.NewSymDense(p, as)
		b := mat.NewVecDense(p, bs)
		var ch mat.Cholesky
		if !ch.Factorize(a) {
			return nil, nil, fmt.Errorf("regression predictors are collinear (XᵀWX is singular)")
		}
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err != nil {
			return nil, nil, fmt.Errorf("regression predictors are collinear: %v", err)
		}
		var bv mat.VecDense
		bv.MulVec(&inv, b)
		beta = make([]float64, p)
		for j := range beta {
			beta[j] = bv.AtVec(j)
		}
		return beta, mat.DenseCopyOf(&inv), nil
	}
	beta, ainv, err := fit(d.w)
	if err != nil {
		return nil, err
	}
	out := make([]Estimate, p)
	for j := range out {
		out[j].Value = beta[j]
		out[j].N = nuse
		out[j].Deff = math.NaN()
	}
	for i := range y {
		if use[i] {
			for j := range out {
				out[j].WSum += d.w[i]
			}
		}
	}
	if ws := d.weightSets(); ws != nil {
		reps := make([][]float64, p)
		for j := range reps {
			reps[j] = make([]float64, len(ws))
		}
		for r, w := range ws {
			br, _, err := fit(w)
			if err != nil {
				return nil, fmt.Errorf("replicate %d: %w", r+1, err)
			}
			for j := range reps {
				reps[j][r] = br[j]
			}
		}
		for j := range out {
			d.finish(&out[j], nil, reps[j])
		}
		return out, nil
	}
	// z_i = A⁻¹ x_i e_i, one column per coefficient.
	zs := make([][]float64, p)
	for j := range zs {
		zb := getFloats(d.n)
		defer putFloats(zb)
		zs[j] = *zb
	}
	ai := make([]float64, p*p)
	for j := 0; j < p; j++ {
		for k := 0; k < p; k++ {
			ai[j*p+k] = ainv.At(j, k)
		}
	}
	for i := range y {
		if !use[i] {
			continue
		}
		r := xi(i)
		e := y[i]
		for j := 0; j < p; j++ {
			e -= r[j] * beta[j]
		}
		for j := 0; j < p; j++ {
			s := 0.0
			aj := ai[j*p : j*p+p]
			for k := 0; k < p; k++ {
				s += aj[k] * r[k]
			}
			zs[j][i] = s * e
		}
	}
	for j := range out {
		d.finish(&out[j], zs[j], nil)
	}
	return out, nil
}
