package quality

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"manyi/survey"
)

// Flag kinds.
const (
	Speeder       = "speeder"         // total time under a share of the median
	StraightLiner = "straight_lining" // one answer on every scale item of several domains
	Duplicate     = "duplicate"       // the same substantive answers as another response
	JunkText      = "junk_text"       // an open answer that is empty or junk
)

// DefaultSpeederShare flags a response faster than a third of the median
// time, the convention the measurement's quality control uses.
const DefaultSpeederShare = 1.0 / 3

// DefaultMinDomains is how many straight-lined domains make a flag: one
// domain answered all 8s may be sincere, two in a row rarely are.
const DefaultMinDomains = 2

// Input is one completed response, reduced to what the checks need.
type Input struct {
	ID      string
	Seconds float64           // total answering time; 0 or less when unknown
	Answers map[string]string // item id → answer code ("" or absent: not answered)
	Texts   []string          // the open-text answers to check, in questionnaire order
}

// Options tune the checks. The zero value uses the defaults and checks
// speeders, duplicates over all items and junk text; straight-lining needs
// Domains.
type Options struct {
	// SpeederShare: a response is a speeder below SpeederShare × the median
	// of the known times. 0 means DefaultSpeederShare.
	SpeederShare float64
	// Domains maps each satisfaction domain to its scale item ids.
	Domains map[string][]string
	// MinDomains straight-lined domains make a flag; 0 means
	// DefaultMinDomains.
	MinDomains int
	// Items are the substantive item ids compared for duplicates; nil means
	// every item id seen in any response.
	Items []string
	// DontKnow is the answer code of "don't know"; a domain answered all
	// don't-know is item nonresponse, not straight-lining. "" means none.
	DontKnow string
}

// Flag is one reason a response needs review.
type Flag struct {
	Kind   string
	Reason survey.Text
}

// Result is the flags of one response. DuplicateGroup numbers the groups
// of identical responses 1, 2, … in order of first appearance; 0 when the
// response is not a duplicate.
type Result struct {
	ID             string
	Flags          []Flag
	DuplicateGroup int
}

// Has reports whether the result carries a flag of the kind.
func (r Result) Has(kind string) bool {
	for _, f := range r.Flags {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

// Check computes the quality flags of each response given all completed
// responses, and returns one Result per input in the same order:
//
//   - speeder: Seconds < share × median(Seconds over responses with a known
//     time); a response without a time is not judged;
//   - straight-lining: in at least MinDomains domains, every scale item is
//     answered with the same code (domains of fewer than two items, with an
//     unanswered item, or answered all don't-know do not count);
//   - duplicates: identical answers over the substantive items (at least
//     one answered); every member of a group of two or more is flagged and
//     the reason names the others;
//   - junk text: each open answer that IsJunk rejects.
//
// The checks only flag: the statistician reviews and decides.
func Check(in []Input, opts Options) []Result {
	share := opts.SpeederShare
	if share == 0 {
		share = DefaultSpeederShare
	}
	minDomains := opts.MinDomains
	if minDomains == 0 {
		minDomains = DefaultMinDomains
	}
	out := make([]Result, len(in))
	for i := range in {
		out[i].ID = in[i].ID
	}

	var times []float64
	for _, r := range in {
		if r.Seconds > 0 {
			times = append(times, r.Seconds)
		}
	}
	if med := median(times); med > 0 {
		limit := share * med
		for i, r := range in {
			if r.Seconds > 0 && r.Seconds < limit {
				out[i].Flags = append(out[i].Flags, Flag{Speeder, survey.Text{
					Zh: fmt.Sprintf("用时 %s，不到中位数 %s 的 %s", dur(r.Seconds), dur(med), pct(share)),
					En: fmt.Sprintf("took %s, under %s of the median %s", dur(r.Seconds), pct(share), dur(med)),
				}})
			}
		}
	}

	domains := sortedKeys(opts.Domains)
	for i, r := range in {
		var lined []string
		for _, d := range domains {
			if straight(r.Answers, opts.Domains[d], opts.DontKnow) {
				lined = append(lined, d)
			}
		}
		if len(lined) >= minDomains {
			out[i].Flags = append(out[i].Flags, Flag{StraightLiner, survey.Text{
				Zh: fmt.Sprintf("%d 个领域的所有评分题答案相同：%s", len(lined), strings.Join(lined, "、")),
				En: fmt.Sprintf("the same answer on every scale item of %d domains: %s", len(lined), strings.Join(lined, ", ")),
			}})
		}
	}

	items := opts.Items
	if items == nil {
		seen := map[string]bool{}
		for _, r := range in {
			for k := range r.Answers {
				if !seen[k] {
					seen[k] = true
					items = append(items, k)
				}
			}
		}
		slices.Sort(items)
	}
	groups := map[string][]int{}
	var order []string
	for i, r := range in {
		key, answered := vectorKey(r.Answers, items)
		if !answered {
			continue
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	g := 0
	for _, key := range order {
		members := groups[key]
		if len(members) < 2 {
			continue
		}
		g++
		for _, i := range members {
			var others []string
			for _, j := range members {
				if j != i {
					others = append(others, in[j].ID)
				}
			}
			out[i].DuplicateGroup = g
			out[i].Flags = append(out[i].Flags, Flag{Duplicate, survey.Text{
				Zh: fmt.Sprintf("答案与 %s 完全相同（重复组 %d）", strings.Join(others, "、"), g),
				En: fmt.Sprintf("answers identical to %s (duplicate group %d)", strings.Join(others, ", "), g),
			}})
		}
	}

	for i, r := range in {
		for k, t := range r.Texts {
			if junk, why := IsJunk(t); junk {
				out[i].Flags = append(out[i].Flags, Flag{JunkText, survey.Text{
					Zh: fmt.Sprintf("第 %d 个开放题%s", k+1, why.Zh),
					En: fmt.Sprintf("open answer %d %s", k+1, why.En),
				}})
			}
		}
	}
	return out
}

// straight reports whether every item is answered with one code (not
// don't-know) and there are at least two items.
func straight(ans map[string]string, items []string, dk string) bool {
	if len(items) < 2 {
		return false
	}
	first := ans[items[0]]
	if first == "" || (dk != "" && first == dk) {
		return false
	}
	for _, it := range items[1:] {
		if ans[it] != first {
			return false
		}
	}
	return true
}

// vectorKey joins the answers to items with a separator no answer code
// contains; answered says whether at least one item was answered.
func vectorKey(ans map[string]string, items []string) (key string, answered bool) {
	var b strings.Builder
	for _, it := range items {
		v := ans[it]
		if v != "" {
			answered = true
		}
		b.WriteString(v)
		b.WriteByte(0x1f)
	}
	return b.String(), answered
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func dur(sec float64) string {
	if sec < 60 {
		return fmt.Sprintf("%.0fs", sec)
	}
	return fmt.Sprintf("%dm%02ds", int(sec)/60, int(sec)%60)
}

func pct(x float64) string {
	if x > 0.333 && x < 0.334 {
		return "1/3"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// keyboardRows are the rows a hand runs along when mashing keys.
var keyboardRows = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// IsJunk reports whether an open-text answer is empty or junk, and why:
//
//   - empty or only white space (full-width space included);
//   - fewer than two meaningful runes (letters, Han characters or digits):
//     "好", "。。。", "?!";
//   - one character repeated: "111111", "aaaa", "哈哈哈哈";
//   - a short unit repeated at least three times: "asdasdasd", "123123123";
//   - keyboard mash: three or more Latin letters or digits, each next to
//     the previous one on a keyboard row: "asdf", "qwerty", "654321".
func IsJunk(s string) (bool, survey.Text) {
	t := strings.TrimSpace(s)
	if t == "" {
		return true, survey.Text{Zh: "为空", En: "is empty"}
	}
	var rs []rune
	meaningful := 0
	for _, r := range t {
		if unicode.IsSpace(r) {
			continue
		}
		rs = append(rs, unicode.ToLower(r))
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			meaningful++
		}
	}
	if len(rs) > 1 && allSame(rs) {
		return true, survey.Text{Zh: "只是同一个字符的重复", En: "repeats a single character"}
	}
	if meaningful < 2 {
		return true, survey.Text{Zh: "少于两个有意义的字", En: "has fewer than two meaningful characters"}
	}
	if repeatedUnit(rs) {
		return true, survey.Text{Zh: "是同一小段的重复", En: "repeats one short sequence"}
	}
	if mash(rs) {
		return true, survey.Text{Zh: "像是乱按键盘", En: "looks like keyboard mash"}
	}
	return false, survey.Text{}
}

func allSame(rs []rune) bool {
	for _, r := range rs[1:] {
		if r != rs[0] {
			return false
		}
	}
	return true
}

// repeatedUnit reports a unit of 2–4 runes repeated at least three times.
func repeatedUnit(rs []rune) bool {
	for u := 2; u <= 4; u++ {
		if len(rs) < 3*u || len(rs)%u != 0 {
			continue
		}
		ok := true
		for i := u; i < len(rs); i++ {
			if rs[i] != rs[i-u] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func mash(rs []rune) bool {
	if len(rs) < 3 {
		return false
	}
	for i := 1; i < len(rs); i++ {
		if !adjacentKeys(rs[i-1], rs[i]) {
			return false
		}
	}
	return true
}

func adjacentKeys(a, b rune) bool {
	if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
		return false
	}
	for _, row := range keyboardRows {
		i, j := strings.IndexRune(row, a), strings.IndexRune(row, b)
		if i >= 0 && j >= 0 && (i-j == 1 || j-i == 1) {
			return true
		}
	}
	return false
}
