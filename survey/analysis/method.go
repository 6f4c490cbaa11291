package analysis

import (
	"fmt"
	"math"
	"strings"

	"manyi/survey"
)

// Index methods: how the overall index weighs the domains (DOMAIN.md
// "Scores and indices").
const (
	MethodEqual      = "equal"
	MethodExpert     = "expert"
	MethodRegression = "regression"
)

// IndexMethod says how domain indices combine into the overall index.
// Items within a domain always weigh equally.
type IndexMethod struct {
	// Method is equal, expert or regression.
	Method string `json:"method"`
	// Weights holds the expert weight of every domain (any positive scale;
	// normalised to sum to 1). Used by expert only.
	Weights map[string]float64 `json:"weights,omitempty"`
}

// Validate checks the method against the questionnaire's domains: an
// expert method needs a weight ≥ 0 for every domain, none for unknown
// domains, and a positive sum.
func (m IndexMethod) Validate(q *survey.Questionnaire) error {
	switch m.Method {
	case MethodEqual, MethodRegression:
		if len(m.Weights) > 0 {
			return fieldError("weights", "只有专家赋权法需要填写领域权重", "domain weights apply to the expert method only")
		}
		return nil
	case MethodExpert:
	default:
		return fieldError("method", fmt.Sprintf("指数方法 %q 无效：应为 equal、expert 或 regression", m.Method), fmt.Sprintf("index method %q is not equal, expert or regression", m.Method))
	}
	known := map[string]bool{}
	sum := 0.0
	for _, d := range q.Domains {
		known[d.ID] = true
		w, ok := m.Weights[d.ID]
		if !ok {
			return fieldError("weights."+d.ID, fmt.Sprintf("请填写领域 %s（%s）的权重", d.ID, d.Name.Zh), fmt.Sprintf("enter a weight for domain %s (%s)", d.ID, d.Name.En))
		}
		if !(w >= 0) || math.IsInf(w, 0) {
			return fieldError("weights."+d.ID, fmt.Sprintf("领域 %s 的权重 %v 应为非负数", d.ID, w), fmt.Sprintf("the weight of domain %s must not be negative, got %v", d.ID, w))
		}
		sum += w
	}
	for id := range m.Weights {
		if !known[id] {
			return fieldError("weights."+id, fmt.Sprintf("问卷中没有领域 %s", id), fmt.Sprintf("the questionnaire has no domain %s", id))
		}
	}
	if !(sum > 0) {
		return fieldError("weights", "领域权重之和应大于 0", "the domain weights must add up to more than 0")
	}
	return nil
}

// fieldError returns an EINVALID error about one field.
func fieldError(field, zh, en string) *survey.Error {
	return &survey.Error{Code: survey.EINVALID, Message: survey.Text{Zh: field + "：" + zh, En: field + ": " + en},
		Fields: []survey.FieldError{{Field: field, Message: survey.Text{Zh: zh, En: en}}}}
}

// domainWeights returns the normalised weight of every domain for equal
// and expert; regression weights come from the drivers.
func (m IndexMethod) domainWeights(q *survey.Questionnaire, domains []string) map[string]float64 {
	out := map[string]float64{}
	sum := 0.0
	for _, d := range domains {
		w := 1.0
		if m.Method == MethodExpert {
			w = m.Weights[d]
		}
		out[d] = w
		sum += w
	}
	for d := range out {
		out[d] /= sum
	}
	return out
}

// MethodUsed records the index method and the domain weights the results
// used, for display beside them.
type MethodUsed struct {
	Method  string         `json:"method"`
	Weights []DomainWeight `json:"weights"`
	Notes   []survey.Text  `json:"notes,omitempty"`
}

// DomainWeight is one domain's share of the overall index.
type DomainWeight struct {
	Domain string      `json:"domain"`
	Name   survey.Text `json:"name"`
	Weight float64     `json:"weight"`
}

// String renders "product 0.2, service 0.2, …".
func (m MethodUsed) String() string {
	parts := make([]string, len(m.Weights))
	for i, w := range m.Weights {
		parts[i] = fmt.Sprintf("%s %.4g", w.Domain, w.Weight)
	}
	return m.Method + ": " + strings.Join(parts, ", ")
}
