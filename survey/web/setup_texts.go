package web

import "manyi/survey"

// setupUI holds the setup pages' interface texts.
var setupUI = map[string]survey.Text{
	"new_title":          {Zh: "新建测评", En: "New measurement"},
	"new_intro":          {Zh: "填写测评的基本信息、区县（分层）和问卷来源。创建后进入测评概览，按步骤完成问卷、抽样框、抽样、邀请和实地执行。", En: "Give the measurement's basics, its districts (strata) and where its questionnaire comes from. You then land on its overview, which walks you through the questionnaire, frame, sample, invitations and fieldwork."},
	"new_basics":         {Zh: "基本信息", En: "Basics"},
	"f_title_zh":         {Zh: "测评名称（中文）", En: "Title (Chinese)"},
	"f_title_en":         {Zh: "测评名称（英文，可选）", En: "Title (English, optional)"},
	"f_city_zh":          {Zh: "城市", En: "City"},
	"f_city_en":          {Zh: "城市（英文，可选）", En: "City (English, optional)"},
	"f_office_zh":        {Zh: "组织单位（可选）", En: "Commissioning office (optional)"},
	"f_office_en":        {Zh: "组织单位（英文，可选）", En: "Commissioning office (English, optional)"},
	"f_year":             {Zh: "年份", En: "Year"},
	"f_id":               {Zh: "编号（可选）", En: "Id (optional)"},
	"f_id_hint":          {Zh: "用于网址和文件名：小写字母、数字、- 和 _。留空则自动生成，如 m2027。", En: "Used in addresses and file names: lower-case letters, digits, - and _. Leave empty for one like m2027."},
	"f_prev":             {Zh: "上一次的测评（同比）", En: "Previous measurement (year on year)"},
	"f_prev_label":       {Zh: "与哪一次测评比较", En: "Compare with"},
	"none":               {Zh: "无", En: "None"},
	"f_districts":        {Zh: "区县（分层）", En: "Districts (strata)"},
	"f_districts_list":   {Zh: "填写区县", En: "List the districts"},
	"f_districts_label":  {Zh: "每行一个：代码 | 中文名称 | 英文名称（可选）", En: "One per line: code | Chinese name | English name (optional)"},
	"f_districts_hint":   {Zh: "代码用字母、数字、_ . -，如 d1 或 330102。分隔符可用 |、逗号、制表符或空格。区县会成为问卷中“您住在哪个区县”的选项。", En: "Codes use letters, digits, _ . -, e.g. d1 or 330102. Separate with |, a comma, a tab or spaces. The districts become the choices of the screener's district question."},
	"f_districts_prev":   {Zh: "沿用上一次测评的区县", En: "Copy the districts of the previous measurement"},
	"f_qfrom":            {Zh: "问卷", En: "Questionnaire"},
	"f_qfrom_label":      {Zh: "问卷来源", En: "Start the questionnaire from"},
	"f_qfrom_default":    {Zh: "默认模板（12 页，38 题）", En: "The default template (12 pages, 38 items)"},
	"f_qfrom_copy":       {Zh: "复制问卷：", En: "A copy of:"},
	"f_qfrom_hint":       {Zh: "创建后可在问卷编辑器中修改。区县题的选项总是使用本次测评的区县。", En: "You can change it in the questionnaire editor afterwards. The district question always takes this measurement's districts."},
	"create_measurement": {Zh: "创建测评", En: "Create measurement"},
	"form_errors":        {Zh: "表单中有需要修改的地方，请查看标出的内容。", En: "Some fields need correcting; see the marked ones."},
	"done_created":       {Zh: "测评已创建。请按下面的步骤完成设置。", En: "The measurement was created. Follow the steps below to set it up."},
	"overview_title":     {Zh: "测评概览", En: "Overview"},
	"checklist":          {Zh: "测评步骤", En: "Steps"},
	"locked_note":        {Zh: "实地执行已开始：问卷已锁定，不能再修改（答案需要保持可比）。", En: "Fieldwork has opened: the questionnaire is locked (answers must stay comparable)."},
	"questionnaire":      {Zh: "问卷", En: "Questionnaire"},
	"rev_none":           {Zh: "尚未在编辑器中保存", En: "not yet saved in the editor"},
	"rev_n":              {Zh: "第 %d 次保存", En: "save %d"},
	"step_questionnaire": {Zh: "问卷", En: "Questionnaire"},
	"step_frame":         {Zh: "抽样框", En: "Frame"},
	"step_sample":        {Zh: "抽样", En: "Sample"},
	"step_invitations":   {Zh: "邀请（短信与二维码）", En: "Invitations (SMS and QR)"},
	"step_cases":         {Zh: "分配访员样本", En: "Cases for interviewers"},
	"step_fieldwork":     {Zh: "实地执行", En: "Fieldwork"},
	"step_results":       {Zh: "加权结果", En: "Results"},
	"step_report":        {Zh: "测评报告", En: "Report"},
	"state_done":         {Zh: "已完成", En: "Done"},
	"state_todo":         {Zh: "待完成", En: "To do"},
	"state_blocked":      {Zh: "暂不能进行", En: "Not yet"},
	"state_open":         {Zh: "进行中", En: "Open"},
	"state_closed":       {Zh: "已结束", En: "Closed"},
	"state_problem":      {Zh: "有问题", En: "Has problems"},
}

func init() {
	// The staff home's button to the new measurement form.
	staffUI["new_measurement"] = survey.Text{Zh: "新建测评", En: "New measurement"}
}
