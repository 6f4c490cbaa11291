package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Quantile returns the two-sided critical value for a confidence level: the
// normal quantile z_{1−α/2} when df is +Inf, else Student's t_{1−α/2, df}
// (R: qnorm / qt as used by confint(…, df)).
func Quantile(level, df float64) float64 {
	if !(level > 0 && level < 1) {
		panic("stats: confidence level must be in (0, 1)")
	}
	p := 1 - (1-level)/2
	if math.IsInf(df, 1) {
		return distuv.UnitNormal.Quantile(p)
	}
	if !(df > 0) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// Wald returns the interval Value ± q·SE, q = Quantile(level, df); pass
// math.Inf(1) for the normal quantile or float64(d.DegF()) for a t interval
// with design degrees of freedom (R: confint(est, level, df)).
func (e Estimate) Wald(level, df float64) (lo, hi float64) {
	q := Quantile(level, df)
	return e.Value - q*e.SE, e.Value + q*e.SE
}

// LogitCI returns the logit interval of a proportion,
// expit(logit(p̂) ± q·SE/(p̂(1 − p̂))); with replicate weights the SE on the
// logit scale is the replicate SE of logit(p̂_r). Matches R
// svyciprop(method = "logit", df = df) to better than 1e-7.
//
// At p̂ = 0 or 1 the logit is infinite (and the SE is 0: every answer is
// the same); the interval is then [p̂, p̂]. R's svyciprop fits the logit by
// svyglm, which stops near the boundary and returns an interval within
// 1e-11 of p̂ (e.g. [6.9e-12, 8.7e-12] for p̂ = 0), the same to any shown
// digit. No bound is ever NaN.
func (e Estimate) LogitCI(level, df float64) (lo, hi float64) {
	p := e.Value
	if p <= 0 || p >= 1 {
		p = math.Min(math.Max(p, 0), 1)
		return p, p
	}
	q := Quantile(level, df)
	l := logit(p)
	se := e.SE / (p * (1 - p))
	if e.reps != nil {
		lr := make([]float64, len(e.reps))
		for i, v := range e.reps {
			lr[i] = logit(v)
		}
		se = math.Sqrt(e.d.rep.repVar(l, lr))
		if math.IsNaN(se) {
			se = math.Inf(1) // a replicate at 0 or 1: no information on the logit scale
		}
	}
	return expit(l - q*se), expit(l + q*se)
}

// BetaCI returns the Korn–Graubard interval of a proportion (R:
// svyciprop(method = "beta")):
//
//	n_eff = p̂(1 − p̂)/SE² × (t(α/2, n − 1) / t(α/2, degf))²
//	[qbeta(α/2; n_eff p̂, n_eff(1 − p̂) + 1), qbeta(1 − α/2; n_eff p̂ + 1, n_eff(1 − p̂))]
//
// with n the number of rows of the design and degf its DegF.
//
// At p̂ = 0 or 1 (where the variance is 0) R returns NaN; here the
// effective sample size is then the N rows of the estimate, which gives
// the Clopper–Pearson bounds [0, 1 − (α/2)^(1/N)] and [(α/2)^(1/N), 1]
// (Korn and Graubard's own choice when the design effect cannot be
// estimated). No bound is ever NaN.
func (e Estimate) BetaCI(level float64) (lo, hi float64) {
	p := e.Value
	alpha := 1 - level
	if p <= 0 || p >= 1 {
		m := math.Pow(alpha/2, 1/math.Max(float64(e.N), 1))
		if p <= 0 {
			return 0, 1 - m
		}
		return m, 1
	}
	n := float64(e.d.n)
	df := float64(e.d.DegF())
	neff := p * (1 - p) / e.Var
	r := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(alpha/2) / distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(alpha/2)
	neff *= r * r
	if math.IsInf(neff, 0) || math.IsNaN(neff) {
		neff = math.Max(float64(e.N), 1) // a variance of 0 (or no design df)
	}
	lo, hi = 0, 1
	if a := neff * p; a > 0 {
		lo = distuv.Beta{Alpha: a, Beta: neff*(1-p) + 1}.Quantile(alpha / 2)
	}
	if b := neff * (1 - p); b > 0 {
		hi = distuv.Beta{Alpha: neff*p + 1, Beta: b}.Quantile(1 - alpha/2)
	}
	return lo, hi
}

// EffectiveSampleSize returns Kish's effective sample size (Σ w)² / Σ w²
// of a set of weights.
func EffectiveSampleSize(w []float64) float64 {
	s, s2 := 0.0, 0.0
	for _, v := range w {
		s += v
		s2 += v * v
	}
	return s * s / s2
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }
func expit(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
