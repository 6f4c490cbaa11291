// Package storekit holds what manyi's store adapters (survey/sqlite,
// survey/postgres) share that is not SQL: the checks a store makes before
// it writes, invitation tokens, and the errors residents and staff see. One
// copy here keeps the two adapters' answers identical.
package storekit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// idPattern is what a measurement id may look like: it appears in URLs and
// file names, so lower-case letters, digits, '-' and '_'.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// sectorPattern is what a sector code may look like: it is an answer code,
// a quota cell key and a form field name.
var sectorPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// CheckMeasurement returns the problems of m that the store cannot accept.
func CheckMeasurement(m *survey.Measurement) error {
	var fields []survey.FieldError
	add := func(field, zh, en string) {
		fields = append(fields, survey.FieldError{Field: field, Message: survey.Text{Zh: zh, En: en}})
	}
	if !idPattern.MatchString(m.ID) {
		add("id", "编号只能包含小写字母、数字、- 和 _（最多 64 个字符）", "the id may only contain lower-case letters, digits, - and _ (at most 64 characters)")
	}
	if m.City.Zh == "" {
		add("city", "请填写城市名称", "the city name is missing")
	}
	if m.Title.Zh == "" {
		add("title", "请填写测评名称", "the title is missing")
	}
	if m.Year < 2000 || m.Year > 2100 {
		add("year", "年份应在 2000–2100 之间", "the year must be from 2000 to 2100")
	}
	switch m.Status {
	case survey.StatusDraft, survey.StatusOpen, survey.StatusClosed:
	default:
		add("status", "状态应为 draft、open 或 closed", "the status must be draft, open or closed")
	}
	seen := map[string]bool{}
	for i, d := range m.Districts {
		f := fmt.Sprintf("districts[%d]", i)
		switch {
		case d.Code == "":
			add(f, "区县代码为空", "the district code is empty")
		case seen[d.Code]:
			add(f, "区县代码 "+d.Code+" 重复", "the district code "+d.Code+" appears twice")
		}
		seen[d.Code] = true
		if d.Name.Zh == "" {
			add(f, "区县名称为空", "the district name is empty")
		}
	}
	switch m.Kind {
	case survey.KindResident:
		if len(m.Sectors) > 0 {
			add("sectors", "市民质量满意度测评没有行业", "a residents' measurement has no sectors")
		}
	case survey.KindService:
		if len(m.Sectors) == 0 {
			add("sectors", "服务业顾客满意度测评至少需要一个行业", "a service measurement needs at least one sector")
		}
	default:
		add("kind", "测评类型应为 resident 或 service", "the kind must be resident or service")
	}
	seenS := map[string]bool{}
	for i, sc := range m.Sectors {
		f := fmt.Sprintf("sectors[%d]", i)
		switch {
		case !sectorPattern.MatchString(sc.Code):
			add(f, "行业代码 "+sc.Code+" 无效（小写字母开头，只含小写字母、数字和 _，最多 32 个字符）", "the sector code "+sc.Code+" is invalid (a lower-case letter, then lower-case letters, digits or _, at most 32)")
		case seenS[sc.Code]:
			add(f, "行业代码 "+sc.Code+" 重复", "the sector code "+sc.Code+" appears twice")
		}
		seenS[sc.Code] = true
		if sc.Name.Zh == "" {
			add(f, "行业名称为空", "the sector name is empty")
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &survey.Error{
		Code: survey.EINVALID,
		Message: survey.Text{
			Zh: "测评信息有误：" + fields[0].Field + " " + fields[0].Message.Zh,
			En: "the measurement is not valid: " + fields[0].Field + ": " + fields[0].Message.En,
		},
		Fields: fields,
	}
}

// CheckQuestionnaire refuses a questionnaire with problems, naming the first
// few with their paths.
func CheckQuestionnaire(q *survey.Questionnaire) error {
	if q == nil {
		return survey.Errorf(survey.EINVALID, "问卷为空", "the questionnaire is missing")
	}
	probs := q.Validate()
	if len(probs) == 0 {
		return nil
	}
	msg := ""
	for i, p := range probs {
		if i == 3 {
			msg += fmt.Sprintf("; … (%d in all)", len(probs))
			break
		}
		if i > 0 {
			msg += "; "
		}
		msg += p.String()
	}
	return survey.Errorf(survey.EINVALID, "问卷有误：%s", "the questionnaire is not valid: %s", msg)
}

// CheckServiceQuestionnaire refuses, for a service measurement, a
// questionnaire whose sector item does not offer exactly its sectors or
// that lacks a construct for some sector.
func CheckServiceQuestionnaire(m *survey.Measurement, q *survey.Questionnaire) error {
	if !m.IsService() {
		return nil
	}
	probs := q.CheckService(m.Sectors)
	if len(probs) == 0 {
		return nil
	}
	return survey.Errorf(survey.EINVALID, "问卷与测评的行业不符：%s", "the questionnaire does not fit the measurement's sectors: %s", probs[0].String())
}

// EncodeQuestionnaire returns the stored form of q and its SHA-256 (hex).
func EncodeQuestionnaire(q *survey.Questionnaire) (body, sum string, err error) {
	b, err := json.Marshal(q)
	if err != nil {
		return "", "", fmt.Errorf("encode questionnaire: %w", err)
	}
	h := sha256.Sum256(b)
	return string(b), hex.EncodeToString(h[:]), nil
}

// TokenBytes is the entropy of an invitation token: 128 bits, which an
// attacker cannot guess even with billions of tries.
const TokenBytes = 16

// tokenLen is the length of a token's text (unpadded base64url).
var tokenLen = base64.RawURLEncoding.EncodedLen(TokenBytes)

// NewToken returns a fresh random token and its hash.
func NewToken() (string, []byte) {
	b := make([]byte, TokenBytes)
	rand.Read(b) // never fails on Linux; a failure crashes the program by design
	tok := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(tok))
	return tok, h[:]
}

// TokenHash returns the stored form of tok, or false when tok cannot be a
// token a store issued, so that junk never reaches the database.
func TokenHash(tok string) ([]byte, bool) {
	if len(tok) != tokenLen {
		return nil, false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(tok); err != nil {
		return nil, false
	}
	h := sha256.Sum256([]byte(tok))
	return h[:], true
}

// TokenHashHex returns the hex SHA-256 of a token, the only form in which
// a store keeps it.
func TokenHashHex(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// ErrBadLink is what every unknown or malformed token gets: the same answer
// whether the link never existed or is mistyped.
func ErrBadLink() error {
	return survey.Errorf(survey.ENOTFOUND, "链接无效，请检查短信中的链接是否完整。", "This link is not valid. Please check that the whole link from the message was opened.")
}

// ErrNoMeasurement is the answer for an unknown measurement id.
func ErrNoMeasurement(id string) error {
	return survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", id)
}

// CheckOpen refuses links of a measurement that is not open.
func CheckOpen(status string) error {
	switch status {
	case survey.StatusOpen:
		return nil
	case survey.StatusDraft:
		return survey.Errorf(survey.EGONE, "本次测评尚未开始，请稍后再试。", "This survey has not opened yet. Please try again later.")
	default:
		return survey.Errorf(survey.EGONE, "本次测评已经结束，感谢您的关注。", "This survey has closed. Thank you for your interest.")
	}
}

// ErrFinished is the conflict of writing to a finished response.
func ErrFinished(status string) error {
	switch status {
	case survey.RespSubmitted:
		return survey.Errorf(survey.ECONFLICT, "此问卷已提交，不能再修改。", "This questionnaire has already been submitted and cannot be changed.")
	case survey.RespScreenedOut:
		return survey.Errorf(survey.ECONFLICT, "此问卷已结束（不符合本次调查条件），不能再修改。", "This questionnaire has ended (you are outside this survey's population) and cannot be changed.")
	default:
		return survey.Errorf(survey.ECONFLICT, "此问卷已结束，不能再修改。", "This questionnaire has ended and cannot be changed.")
	}
}

// CheckPage refuses answers that do not belong to the page: the store is
// the last line that keeps one page's answers from landing on another.
func CheckPage(q *survey.Questionnaire, p *survey.PageSave) error {
	page, _ := q.Page(p.PageID)
	if page == nil {
		return survey.Errorf(survey.EINVALID, "问卷中没有页面 %q", "the questionnaire has no page %q", p.PageID)
	}
	var fields []survey.FieldError
	ids := make([]string, 0, len(p.Answers))
	for id := range p.Answers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		found := false
		for i := range page.Items {
			if page.Items[i].ID == id {
				found = true
				break
			}
		}
		if !found {
			fields = append(fields, survey.FieldError{Field: id, Message: survey.Text{
				Zh: fmt.Sprintf("页面 %s 中没有题目 %s", p.PageID, id),
				En: fmt.Sprintf("page %s has no question %s", p.PageID, id),
			}})
		}
	}
	if len(fields) > 0 {
		return &survey.Error{Code: survey.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	return nil
}

// ErrNoUser is what every lookup of an unknown account gets.
func ErrNoUser(name string) error {
	return survey.Errorf(survey.ENOTFOUND, "没有用户 %s", "there is no user %s", name)
}

// ErrNoSession is the answer for an unknown, expired or disabled session;
// the web layer turns it into a redirect to the login page.
func ErrNoSession() error {
	return survey.Errorf(survey.ENOTFOUND, "登录已过期，请重新登录", "your session has ended; please log in again")
}

// CheckSectorWeights refuses sector weights that a service measurement m
// cannot take (see csi.Store.SetSectorWeights) and returns the weighted
// sectors' codes in order.
func CheckSectorWeights(m *survey.Measurement, w *survey.SectorWeights) ([]string, error) {
	if !m.IsService() {
		return nil, survey.Errorf(survey.EINVALID, "测评 %s 不是服务业顾客满意度测评，没有行业权重", "measurement %s is not a service measurement and has no sector weights", m.ID)
	}
	if w == nil {
		return nil, survey.Errorf(survey.EINVALID, "行业权重为空", "the sector weights are missing")
	}
	codes := make([]string, 0, len(w.Weights))
	sum := 0.0
	for c, v := range w.Weights {
		if m.Sector(c) == nil {
			return nil, survey.Errorf(survey.EINVALID, "行业“%s”不是本测评的行业", "sector %q is not one of the measurement's sectors", c)
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, survey.Errorf(survey.EINVALID, "行业“%s”的权重应为非负数", "the weight of sector %q must be a number ≥ 0", c)
		}
		sum += v
		codes = append(codes, c)
	}
	if sum <= 0 {
		return nil, survey.Errorf(survey.EINVALID, "至少一个行业的权重应大于 0", "at least one sector needs a weight above 0")
	}
	sort.Strings(codes)
	return codes, nil
}

// CheckCellKey accepts a quota cell key "gender|age_band" with a known
// gender and band.
func CheckCellKey(c string) error {
	g, a, ok := strings.Cut(c, "|")
	if !ok || (g != sampling.GenderMale && g != sampling.GenderFemale) || !slices.Contains(sampling.AgeBands, a) {
		return survey.Errorf(survey.EINVALID, "配额格“%s”无效，应为 性别|年龄段，如 male|18-29", "quota cell %q is invalid; it must be gender|age_band, e.g. male|18-29", c)
	}
	return nil
}

// ErrNoOpenLink is what every unknown, malformed or disabled open link
// gets: the same answer whether the link never existed or is switched off,
// so a visitor cannot probe for slugs.
func ErrNoOpenLink() error {
	return survey.Errorf(survey.ENOTFOUND, "该公开链接无效或已关闭。", "This open link is not valid or has been switched off.")
}

// Invitation dispositions a store sets; fieldwork adds its own.
const (
	DispIssued  = "issued"  // created, not opened yet
	DispStarted = "started" // a response exists
)

// InvitationDisposition maps the store's own invitation dispositions (a
// measurement without a drawn sample) to the fieldwork's.
var InvitationDisposition = map[string]string{
	DispIssued:               sampling.DispSent,
	DispStarted:              sampling.DispPartial,
	survey.RespSubmitted:     sampling.DispComplete,
	survey.RespScreenedOut:   sampling.DispScreenedOut,
	survey.RespQuotaFull:     sampling.DispQuotaFull,
	sampling.DispRefused:     sampling.DispRefused,
	sampling.DispUnreachable: sampling.DispUnreachable,
}

// AnswerRecords decodes a response's answers aggregated by the database
// into one string, ordered by item and position, each value as its item
// id, a unit separator (0x1f), its length in bytes, a unit separator and
// the value itself (the length, not a separator, ends the value, so an
// open answer may hold any character). The values are substrings of s and
// share one backing array, each item's slice capped at its own values: a
// response costs the string, the map and that array, however many answers
// it has. intern shares item id strings across responses.
func AnswerRecords(s string, intern map[string]string) (survey.Answers, error) {
	n := strings.Count(s, "\x1f") / 2
	a := make(survey.Answers, n)
	if n == 0 {
		if s != "" {
			return nil, fmt.Errorf("bad answer record %.20q", s)
		}
		return a, nil
	}
	vals := make([]string, 0, n)
	item, first := "", 0
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], 0x1f)
		if j < 0 {
			return nil, fmt.Errorf("bad answer record at byte %d", i)
		}
		it := s[i : i+j]
		i += j + 1
		k := strings.IndexByte(s[i:], 0x1f)
		if k < 0 {
			return nil, fmt.Errorf("bad answer record of item %s", it)
		}
		size, err := strconv.Atoi(s[i : i+k])
		if err != nil || size < 0 || i+k+1+size > len(s) {
			return nil, fmt.Errorf("bad answer length of item %s", it)
		}
		i += k + 1
		if it != item {
			if len(vals) > first {
				a[item] = vals[first:len(vals):len(vals)]
			}
			if x, ok := intern[it]; ok {
				it = x
			} else {
				it = strings.Clone(it)
				intern[it] = it
			}
			item, first = it, len(vals)
		}
		vals = append(vals, s[i:i+size])
		i += size
	}
	a[item] = vals[first:len(vals):len(vals)]
	return a, nil
}

// CheckImported validates one imported response (n counts from 1).
func CheckImported(q *survey.Questionnaire, r *survey.ImportedResponse, n int) error {
	if r.Status == "" {
		r.Status = survey.RespSubmitted
	}
	switch r.Status {
	case survey.RespSubmitted, survey.RespScreenedOut, survey.RespQuotaFull, survey.RespInProgress:
	default:
		return survey.Errorf(survey.EINVALID, "第 %d 份答卷：状态 %q 无效", "response %d: status %q is not a response status", n, r.Status)
	}
	switch r.Mode {
	case survey.ModeWeb, survey.ModePhone, survey.ModeFace:
	default:
		return survey.Errorf(survey.EINVALID, "第 %d 份答卷：调查方式 %q 无效", "response %d: mode %q is not web, phone or face", n, r.Mode)
	}
	for item := range r.Answers {
		if it, _ := q.Item(item); it == nil {
			return survey.Errorf(survey.EINVALID, "第 %d 份答卷：问卷中没有题目 %s", "response %d: the questionnaire has no item %s", n, item)
		}
	}
	if r.Status == survey.RespInProgress {
		r.SubmittedAt = time.Time{}
	} else if r.SubmittedAt.Before(r.StartedAt) {
		return survey.Errorf(survey.EINVALID, "第 %d 份答卷：提交时间早于开始时间", "response %d: submitted before it was started", n)
	}
	if r.StartedAt.IsZero() {
		return survey.Errorf(survey.EINVALID, "第 %d 份答卷：开始与提交时间无效", "response %d: the start and submission times are not valid", n)
	}
	return nil
}

// CheckCensus refuses census counts for measurement m that are empty, name
// a district that is not m's, or repeat a cell (naming the row).
func CheckCensus(m *survey.Measurement, c *analysis.Census) error {
	if c == nil || len(c.Cells) == 0 {
		return survey.Errorf(survey.EINVALID, "人口普查数据为空", "the census has no cells")
	}
	known := map[string]bool{}
	for _, d := range m.Districts {
		known[d.Code] = true
	}
	seen := map[[3]string]bool{}
	for i, cell := range c.Cells {
		if !known[cell.District] {
			return survey.Errorf(survey.EINVALID, "人口普查第 %d 行：区县 %q 不是本测评的区县", "census row %d: district %q is not one of the measurement's districts", i+1, cell.District)
		}
		key := [3]string{cell.District, cell.Gender, cell.AgeBand}
		if seen[key] {
			return survey.Errorf(survey.EINVALID, "人口普查第 %d 行重复：%s|%s|%s", "census row %d repeats %s|%s|%s", i+1, cell.District, cell.Gender, cell.AgeBand)
		}
		seen[key] = true
	}
	return nil
}

// FrameCodes checks a frame before it is stored for a measurement whose
// district names map to codes by canon (FrameDistricts): every unit's
// district must be one of them (EINVALID naming the row), and contacts
// need a key. It returns each unit's district code and how many units
// have a contact.
func FrameCodes(f *sampling.Frame, canon map[string]string, key *secret.Key) ([]string, int, error) {
	if len(f.Units) == 0 {
		return nil, 0, survey.Errorf(survey.EINVALID, "抽样框中没有可用的行", "the frame has no usable rows")
	}
	codes := make([]string, len(f.Units))
	contacts := 0
	for i := range f.Units {
		u := &f.Units[i]
		code, ok := canon[u.District]
		if !ok {
			return nil, 0, survey.Errorf(survey.EINVALID, "抽样框第 %d 行：区县“%s”不是本测评的区县", "frame row %d: district %q is not one of the measurement's districts", u.Row, u.District)
		}
		codes[i] = code
		if u.Contact != "" {
			if key == nil {
				return nil, 0, survey.Errorf(survey.EINVALID, "抽样框含有联系方式，但未设置加密密钥 %s（可用 openssl rand -base64 32 生成）",
					"the frame has contact details but %s is not set (generate one with openssl rand -base64 32)", secret.EnvKey)
			}
			contacts++
		}
	}
	return codes, contacts, nil
}

// CheckAttempt validates a call attempt before it is recorded; a time to
// call back is kept only for a call-back.
func CheckAttempt(a *fieldwork.CallAttempt) error {
	if !slices.Contains(fieldwork.Outcomes, a.Outcome) {
		return survey.Errorf(survey.EINVALID, "未知的拨打结果“%s”", "unknown call outcome %q", a.Outcome)
	}
	if a.Outcome == fieldwork.OutcomeCallback && a.CallbackAt == nil {
		return survey.Errorf(survey.EINVALID, "约定回拨时请填写回拨时间", "a call-back needs the agreed time")
	}
	if a.Outcome != fieldwork.OutcomeCallback {
		a.CallbackAt = nil
	}
	return nil
}

// AttemptDisposition is where a call outcome moves a case of disposition
// disp: refused → refused, wrong number → unreachable, call-back → opened
// (reached, eligibility not yet known), no answer or busy → sent. A final
// disposition (complete, screened out, quota full) never changes; final
// reports it.
func AttemptDisposition(disp, outcome string) (to string, final bool) {
	if disp == sampling.DispComplete || disp == sampling.DispScreenedOut || disp == sampling.DispQuotaFull {
		return disp, true
	}
	switch outcome {
	case fieldwork.OutcomeRefused:
		return sampling.DispRefused, false
	case fieldwork.OutcomeWrongNumber:
		return sampling.DispUnreachable, false
	case fieldwork.OutcomeCallback:
		if disp == sampling.DispNotSent || disp == sampling.DispSent || disp == sampling.DispUnreachable || disp == sampling.DispRefused {
			return sampling.DispOpened, false
		}
	case fieldwork.OutcomeNoAnswer, fieldwork.OutcomeBusy, fieldwork.OutcomeNotAvailable, fieldwork.OutcomeUnable, fieldwork.OutcomeLanguage:
		// The last three put the case in NC or O for the rates
		// (fieldwork.AAPORDisposition); the stored disposition only
		// records that a call was made.
		if disp == sampling.DispNotSent {
			return sampling.DispSent, false
		}
	}
	return disp, false
}

// ErrCompletedUnsubmitted refuses a "completed" call outcome for a case
// whose questionnaire was not submitted.
func ErrCompletedUnsubmitted(caseID int64) error {
	return survey.Errorf(survey.EINVALID, "样本 %d 的问卷尚未提交，不能记为完成", "case %d has no submitted questionnaire; it cannot be recorded as completed", caseID)
}

// QuotaTarget is one cell's target to set.
type QuotaTarget struct {
	District, Cell string
	Target         int
}

// QuotaTargets checks targets (district code → cell key → target) against
// measurement m and returns them sorted by district and cell, so that
// concurrent writers lock the cells in one order.
func QuotaTargets(m *survey.Measurement, targets map[string]map[string]int) ([]QuotaTarget, error) {
	known := map[string]bool{}
	for _, d := range m.Districts {
		known[d.Code] = true
	}
	var rows []QuotaTarget
	for d, cells := range targets {
		if !known[d] {
			return nil, survey.Errorf(survey.EINVALID, "配额中的区县“%s”不是本测评的区县", "quota district %q is not one of the measurement's districts", d)
		}
		for c, t := range cells {
			if err := checkCell(m, c); err != nil {
				return nil, err
			}
			if t < 0 {
				return nil, survey.Errorf(survey.EINVALID, "配额 %s %s 的目标为负数", "quota %s %s has a negative target", d, c)
			}
			rows = append(rows, QuotaTarget{d, c, t})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].District+"\x00"+rows[i].Cell < rows[j].District+"\x00"+rows[j].Cell
	})
	return rows, nil
}

// checkCell accepts a sector code as the cell of a service measurement
// (its quotas are sector × district) and gender|age_band otherwise.
func checkCell(m *survey.Measurement, c string) error {
	if !m.IsService() {
		return CheckCellKey(c)
	}
	if m.Sector(c) == nil {
		return survey.Errorf(survey.EINVALID, "配额格“%s”不是本测评的行业代码（服务业测评的配额按 行业 × 区县）", "quota cell %q is not a sector code of the measurement (a service measurement's quotas are sector × district)", c)
	}
	return nil
}

// QuotaCell is the quota cell of a response with answers ans to q: the
// district item's answer, and as cell the sector answered (a service
// measurement's questionnaire has a sector item) or gender|age_band, the
// frame's gender and band (frameGender, frameBand: a sampled case's)
// standing in for unanswered ones. "" when the answers do not place the
// response in a cell yet.
func QuotaCell(q *survey.Questionnaire, ans survey.Answers, districts []survey.District, frameGender, frameBand string) (district, cell string) {
	district, gender, band := fieldwork.QuotaCellOf(q, ans, districts)
	if si := q.SectorItem(); si != nil {
		if v := ans[si.ID]; len(v) > 0 {
			cell = v[0]
		}
	} else {
		if gender == "" {
			gender = frameGender
		}
		if band == "" {
			band = frameBand
		}
		if gender != "" && band != "" {
			cell = sampling.CellKey(gender, band)
		}
	}
	if district == "" || cell == "" {
		return "", ""
	}
	return district, cell
}

// MaxReason bounds an exclusion's reason, in runes.
const MaxReason = 500

// CheckExclusion validates an exclusion's reason and user and returns the
// reason trimmed.
func CheckExclusion(reason, by string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", survey.Errorf(survey.EINVALID, "请填写剔除理由", "give a reason for the exclusion")
	}
	if len([]rune(reason)) > MaxReason {
		return "", survey.Errorf(survey.EINVALID, "剔除理由不能超过 %d 字", "the reason must be at most %d characters", MaxReason)
	}
	if by == "" {
		return "", survey.Errorf(survey.EINVALID, "剔除操作缺少操作人", "the exclusion has no user")
	}
	return reason, nil
}
