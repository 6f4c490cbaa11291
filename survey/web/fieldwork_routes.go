package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/secret"
)

// fwPageFiles are the fieldwork pages, each parsed with staff_base.html.
var fwPageFiles = []string{"fw_cases.html", "fw_interview.html", "fw_monitor.html", "fw_quality.html", "fw_openlink.html"}

// fieldwork holds the fieldwork pages' state: the store (Config.Fieldwork),
// the parsed templates and the contact key.
type fieldworkPages struct {
	pageSet
	st    *staff
	store fieldwork.Store
}

func init() {
	measurementLinks = append(measurementLinks,
		measurementLink{Path: "/app/m/%s/cases", Label: survey.Text{Zh: "我的样本（访问）", En: "My cases (interviews)"}, Perm: auth.PermInterview},
		measurementLink{Path: "/app/m/%s/monitor", Label: survey.Text{Zh: "实地执行监控", En: "Fieldwork monitor"}, Perm: auth.PermMonitor},
		measurementLink{Path: "/app/m/%s/quality", Label: survey.Text{Zh: "数据质量审核", En: "Data quality review"}, Perm: auth.PermReviewQuality},
		measurementLink{Path: "/app/m/%s/openlink", Label: survey.Text{Zh: "公开链接", En: "Open link"}, Perm: auth.PermMonitor},
	)
}

// fieldworkRoutes returns the fieldwork rows of the staff route table:
// the interviewer's cases and interviews, the monitor and the quality
// review, each with the permission it needs.
func (st *staff) fieldworkRoutes() []staffRoute {
	f := &fieldworkPages{st: st, store: st.s.fieldwork}
	if vs, err := parsePageSet(fwPageFiles); err != nil {
		f.err = err
	} else {
		f.views = vs
	}
	if f.err != nil {
		st.s.log.Error("fieldwork pages unavailable", "err", f.err)
	}
	g, p := http.MethodGet, http.MethodPost
	return []staffRoute{
		{g, "/app/m/:id/cases", false, auth.PermInterview, f.ok(f.handleCases)},
		{p, "/app/m/:id/cases/:case/attempts", false, auth.PermInterview, f.ok(f.handleAttempt)},
		{p, "/app/m/:id/cases/:case/interview", false, auth.PermInterview, f.ok(f.handleStartInterview)},
		{g, "/app/interview/:token", false, auth.PermInterview, f.ok(f.handleInterviewShow)},
		{p, "/app/interview/:token", false, auth.PermInterview, f.ok(f.handleInterviewAnswer)},
		{g, "/app/m/:id/monitor", false, auth.PermMonitor, f.ok(f.handleMonitor)},
		{g, "/app/m/:id/monitor.json", false, auth.PermMonitor, f.ok(f.handleMonitorJSON)},
		{g, "/app/m/:id/quality", false, auth.PermReviewQuality, f.ok(f.handleQuality)},
		{p, "/app/m/:id/quality/:resp/exclude", false, auth.PermReviewQuality, f.ok(f.handleExclude)},
		{p, "/app/m/:id/quality/:resp/restore", false, auth.PermReviewQuality, f.ok(f.handleRestore)},
		// The open link is fieldwork management: the statistician and the
		// office, who watch the monitor, switch it.
		{g, "/app/m/:id/openlink", false, auth.PermMonitor, f.ok(f.handleOpenLink)},
		{p, "/app/m/:id/openlink", false, auth.PermMonitor, f.ok(f.handleOpenLinkSet)},
		{p, "/app/m/:id/openlink/sector", false, auth.PermMonitor, f.ok(f.handleSectorLinkSet)},
	}
}

// errNoContactKey is contactKey's answer when the server was started
// without a contact key.
var errNoContactKey = errors.New("web: no contact key in Config.ContactKey")

// contactKey is the key of Config.ContactKey (cmd reads it from
// MANYI_CONTACT_KEY). Without it the interviewer pages work but show no
// phone numbers.
func (f *fieldworkPages) contactKey() (*secret.Key, error) {
	if f.st.s.key == nil {
		return nil, errNoContactKey
	}
	return f.st.s.key, nil
}

// fwLayout is the staff layout with the fieldwork pages' texts.
type fwLayout struct {
	staffLayout
	Measurement *survey.Measurement
	MTitle      string
}

// M returns the interface text key in the page's language: fieldwork
// texts first, then the staff and resident ones.
func (l fwLayout) M(key string) string {
	if t, ok := fwUI[key]; ok {
		return t.Get(l.Lang)
	}
	return l.staffLayout.M(key)
}

// District returns a district code's name in the page's language.
func (l fwLayout) District(code string) string {
	if l.Measurement != nil {
		for _, d := range l.Measurement.Districts {
			if d.Code == code {
				return d.Name.Get(l.Lang)
			}
		}
	}
	return code
}

// Disp names a disposition in the page's language.
func (l fwLayout) Disp(d string) string {
	if t, ok := fwUI["disp_"+d]; ok {
		return t.Get(l.Lang)
	}
	return d
}

// newFWLayout fills the layout of a per-measurement fieldwork page.
func (f *fieldworkPages) newFWLayout(c *echo.Context, m *survey.Measurement, titleKey, here string) fwLayout {
	lang := language(c)
	l := fwLayout{staffLayout: f.st.newStaffLayout(c, staffSession(c), fwUI[titleKey].Get(lang), here), Measurement: m}
	if m != nil {
		l.MTitle = m.Title.Get(lang)
	}
	return l
}

// measurement loads the :id measurement of the route.
func (f *fieldworkPages) measurement(c *echo.Context) (*survey.Measurement, error) {
	return f.st.s.store.Measurement(c.Request().Context(), c.Param("id"))
}

// intParam reads a positive integer route parameter; a malformed one is
// a 404, like a missing page.
func intParam(c *echo.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, survey.Errorf(survey.ENOTFOUND, "找不到该页面", "no such page")
	}
	return n, nil
}

// audit writes a fieldwork audit entry under the logged-in user.
func (f *fieldworkPages) audit(c *echo.Context, action, target string, detail map[string]any) error {
	return f.st.audit(c, staffSession(c).User.Name, action, target, detail)
}

// Audit actions of the fieldwork pages (the commands add frame.import,
// sample.draw, invitations.issue, cases.assign, sample.release and
// frame.purge).
const (
	actionCallAttempt    = "case.attempt"
	actionInterview      = "case.interview"
	actionExclude        = "response.exclude"
	actionRestore        = "response.restore"
	actionInterviewSaved = "case.interview.submit"
)

// fwCtx is the request context of a fieldwork handler.
func fwCtx(c *echo.Context) context.Context { return c.Request().Context() }

// fwUI holds the fieldwork pages' interface texts.
var fwUI = map[string]survey.Text{
	"cases_title":        {Zh: "我的样本", En: "My cases"},
	"cases_intro":        {Zh: "分配给您的样本。电话访问前请核对号码；每次拨打都要记录结果。电话号码仅供访问使用，不得抄录或外传。", En: "The cases assigned to you. Record the outcome of every call. Phone numbers are for the interview only: do not copy or pass them on."},
	"cases_none":         {Zh: "目前没有分配给您的样本。", En: "No cases are assigned to you yet."},
	"no_key":             {Zh: "服务器未设置联系方式密钥（MANYI_CONTACT_KEY），无法显示电话号码。", En: "The server has no contact key (MANYI_CONTACT_KEY), so phone numbers cannot be shown."},
	"col_case":           {Zh: "样本编号", En: "Case"},
	"col_district":       {Zh: "区县", En: "District"},
	"col_phone":          {Zh: "电话", En: "Phone"},
	"col_disp":           {Zh: "状态", En: "Disposition"},
	"col_attempts":       {Zh: "拨打次数", En: "Calls"},
	"col_last":           {Zh: "最近结果", En: "Last outcome"},
	"col_callback":       {Zh: "约定回拨", En: "Call back at"},
	"outcome":            {Zh: "拨打结果", En: "Outcome"},
	"callback_at":        {Zh: "回拨时间（北京时间）", En: "Call back at (China time)"},
	"note":               {Zh: "备注", En: "Note"},
	"record":             {Zh: "记录", En: "Record"},
	"start_phone":        {Zh: "开始电话访问", En: "Start phone interview"},
	"start_face":         {Zh: "开始面访", En: "Start face-to-face interview"},
	"resume":             {Zh: "继续访问", En: "Resume the interview"},
	"done_attempt":       {Zh: "已记录样本 %s 的拨打结果。", En: "The call outcome of case %s was recorded."},
	"done_interview":     {Zh: "样本 %s 的问卷已提交。", En: "The questionnaire of case %s was submitted."},
	"done_ended":         {Zh: "样本 %s 的访问已结束（%s）。", En: "The interview of case %s has ended (%s)."},
	"out_no_answer":      {Zh: "无人接听", En: "No answer"},
	"out_busy":           {Zh: "占线", En: "Busy"},
	"out_callback":       {Zh: "约定回拨", En: "Call back"},
	"out_refused":        {Zh: "拒访", En: "Refused"},
	"out_wrong_number":   {Zh: "号码错误", En: "Wrong number"},
	"out_completed":      {Zh: "已完成", En: "Completed"},
	"out_not_available":  {Zh: "家人接听，受访者不在", En: "Someone else answered: the person is not available"},
	"out_unable":         {Zh: "因健康原因无法受访", En: "Unable to take part (health)"},
	"out_language":       {Zh: "语言不通", En: "Language barrier"},
	"disp_non_contact":   {Zh: "未接触到本人", En: "Never available"},
	"disp_other":         {Zh: "其他无法访问", En: "Other non-interview"},
	"disp_not_sent":      {Zh: "未发送", En: "Not sent"},
	"disp_sent":          {Zh: "已发送", En: "Sent"},
	"disp_opened":        {Zh: "已打开", En: "Opened"},
	"disp_partial":       {Zh: "部分完成", En: "Partial"},
	"disp_complete":      {Zh: "完成", En: "Complete"},
	"disp_screened_out":  {Zh: "不符合条件", En: "Screened out"},
	"disp_refused":       {Zh: "拒访", En: "Refused"},
	"disp_quota_full":    {Zh: "配额已满", En: "Quota full"},
	"disp_unreachable":   {Zh: "无法联系", En: "Unreachable"},
	"interview_title":    {Zh: "访员录入", En: "Interviewer entry"},
	"interview_banner":   {Zh: "访员模式：请逐题读出题目和选项；带“访员提示”的内容不要读出。", En: "Interviewer mode: read out each question and its options; do not read out the interviewer notes."},
	"interview_case":     {Zh: "样本", En: "Case"},
	"interview_mode":     {Zh: "方式", En: "Mode"},
	"mode_phone":         {Zh: "电话", En: "Phone"},
	"mode_face":          {Zh: "面访", En: "Face to face"},
	"mode_web":           {Zh: "网络", En: "Web"},
	"not_read":           {Zh: "（不读出）", En: " (do not read out)"},
	"instruct":           {Zh: "访员提示：", En: "Interviewer note: "},
	"review_ready":       {Zh: "所有问题都已录入。请确认后提交。", En: "Every question is entered. Check and submit."},
	"review_missing":     {Zh: "以下必答题还没有答案：", En: "These required questions have no answer yet:"},
	"submit":             {Zh: "提交问卷", En: "Submit the questionnaire"},
	"ended_title":        {Zh: "访问已结束", En: "The interview has ended"},
	"back_cases":         {Zh: "返回我的样本", En: "Back to my cases"},
	"back_intercept":     {Zh: "返回拦截访问", En: "Back to intercept interviews"},
	"monitor_title":      {Zh: "实地执行监控", En: "Fieldwork monitor"},
	"monitor_intro":      {Zh: "按区县和配额格统计的目标、完成数、缺口和应答率（AAPOR 标准定义）。启用 JavaScript 时每 30 秒自动刷新。", En: "Targets, completes, shortfalls and response rates (AAPOR Standard Definitions) by district and quota cell. With JavaScript on it refreshes every 30 seconds."},
	"col_target":         {Zh: "目标", En: "Target"},
	"col_completes":      {Zh: "完成", En: "Completes"},
	"col_shortfall":      {Zh: "缺口", En: "Shortfall"},
	"col_released":       {Zh: "已启用样本", En: "Released"},
	"col_rr1":            {Zh: "RR1", En: "RR1"},
	"col_rr3":            {Zh: "RR3", En: "RR3"},
	"col_coop1":          {Zh: "合作率 COOP1", En: "COOP1"},
	"col_ref1":           {Zh: "拒访率 REF1", En: "REF1"},
	"col_cell":           {Zh: "配额格", En: "Quota cell"},
	"col_count":          {Zh: "已占名额", En: "Places taken"},
	"col_mode":           {Zh: "方式", En: "Mode"},
	"col_share":          {Zh: "占比", En: "Share"},
	"total":              {Zh: "合计", En: "Total"},
	"e_note":             {Zh: "RR3 使用的 e（未知资格样本中合格者的估计比例，按已知资格样本比例估计）= %s。", En: "RR3 uses e (the estimated share of unknown-eligibility cases that are eligible, from the cases of known eligibility) = %s."},
	"per_day":            {Zh: "每日完成数", En: "Completes per day"},
	"mode_mix":           {Zh: "访问方式构成", En: "Mode mix"},
	"quota_cells":        {Zh: "配额", En: "Quotas"},
	"quota_cells_detail": {Zh: "配额明细：每格的占用、完成与缺口", En: "Quota details: each cell's claims, completes and shortfall"},
	"sector_grid":        {Zh: "分行业 × 区县进度", En: "Progress by sector × district"},
	"sector_grid_note":   {Zh: "已提交的访问数 / 目标：设有配额的格为配额目标，否则为按行业 × 区县抽取的样本量。", En: "Submitted interviews / target: the quota target where a quota is set, else the sample drawn for the sector × district cell."},
	"by_district":        {Zh: "各区县进度", En: "Progress by district"},
	"no_sample":          {Zh: "尚未抽样：用 manyi frame import 和 manyi draw 导入抽样框并抽样。", En: "No sample yet: import a frame and draw with manyi frame import and manyi draw."},
	"no_quota":           {Zh: "尚未设置配额。", En: "No quotas are set."},
	"over_allowed":       {Zh: "允许超出配额。", En: "Cells may go over their targets."},
	"submitted_all":      {Zh: "已提交问卷（含开放链接）：%d，其中已剔除 %d。", En: "Submitted questionnaires (open links included): %d, of which %d excluded."},
	"quality_title":      {Zh: "数据质量审核", En: "Data quality review"},
	"quality_intro":      {Zh: "以下是被标记的已提交问卷：答题过快（低于中位时间的三分之一）、直线作答、重复作答、开放题无效。标记本身不剔除问卷；剔除需填写理由，可恢复，全部记入审计日志。", En: "Submitted responses with flags: speeders (under a third of the median time), straight-lining, duplicates, empty or junk open text. A flag excludes nothing by itself; an exclusion needs a reason, can be reversed, and is audited."},
	"quality_none":       {Zh: "没有被标记的问卷。", En: "No response is flagged."},
	"col_response":       {Zh: "问卷", En: "Response"},
	"col_flags":          {Zh: "标记", En: "Flags"},
	"col_time":           {Zh: "用时", En: "Time"},
	"col_interviewer":    {Zh: "访员", En: "Interviewer"},
	"excluded":           {Zh: "已剔除", En: "Excluded"},
	"reason":             {Zh: "剔除理由", En: "Reason"},
	"exclude":            {Zh: "剔除", En: "Exclude"},
	"restore":            {Zh: "恢复", En: "Restore"},
	"restore_note":       {Zh: "恢复说明", En: "Note"},
	"history":            {Zh: "剔除记录", En: "Exclusion history"},
	"done_excluded":      {Zh: "问卷 %s 已剔除。", En: "Response %s was excluded."},
	"done_restored":      {Zh: "问卷 %s 已恢复。", En: "Response %s was restored."},
	"excluded_by":        {Zh: "%s 由 %s 剔除：%s", En: "excluded %s by %s: %s"},
	"restored_by":        {Zh: "%s 由 %s 恢复", En: "restored %s by %s"},
	"minutes":            {Zh: "%.1f 分钟", En: "%.1f min"},
	"flags_count":        {Zh: "已提交 %d 份，其中 %d 份被标记。", En: "%d submitted, %d flagged."},
	"flag_speeder":       {Zh: "过快", En: "Speeder"},
	"flag_straight":      {Zh: "直线作答", En: "Straight-lining"},
	"flag_duplicate":     {Zh: "重复", En: "Duplicate"},
	"flag_junk":          {Zh: "开放题无效", En: "Junk text"},
	"err_reason":         {Zh: "请填写剔除理由。", En: "Give a reason for the exclusion."},
	"not_your_interview": {Zh: "这份问卷不是由您访问的。", En: "This questionnaire is not your interview."},
	"open_title":         {Zh: "公开链接", En: "Open link"},
	"open_intro":         {Zh: "公开链接供没有抽样框的渠道使用（海报、公众号）：任何人打开都会得到一份新问卷，同样经过甄别题和配额检查。通过公开链接提交的问卷属于非概率样本，所有结果中都会标明。默认关闭；关闭后已开始的问卷仍可完成。", En: "The open link is for channels without a frame (posters, a WeChat account): everyone who opens it gets a fresh questionnaire with the same screener and quota check. Its responses are a non-probability sample and are marked so in every result. Off by default; switching it off lets questionnaires already started finish."},
	"open_on":            {Zh: "公开链接已开启。", En: "The open link is on."},
	"open_off":           {Zh: "公开链接已关闭。", En: "The open link is off."},
	"open_url":           {Zh: "链接地址", En: "Address"},
	"open_counts":        {Zh: "通过公开链接开始 %d 份，已提交 %d 份。", En: "%d started through the open link, %d submitted."},
	"open_changed":       {Zh: "最近修改：%s，%s", En: "Last changed %s by %s"},
	"open_enable":        {Zh: "开启公开链接", En: "Switch the open link on"},
	"open_disable":       {Zh: "关闭公开链接", En: "Switch the open link off"},
	"open_done_on":       {Zh: "公开链接已开启。", En: "The open link was switched on."},
	"open_done_off":      {Zh: "公开链接已关闭。", En: "The open link was switched off."},
}
