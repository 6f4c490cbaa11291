package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/invite"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

func init() {
	register("frame", "import a sampling frame into the database, or purge its contacts", runFrame)
	register("draw", "draw and store the measurement's sample from its imported frame", runDraw)
	register("invitations", "issue invitation links: an SMS gateway CSV or a QR-code sheet", runInvitations)
	register("cases", "assign cases to interviewers, release reserve batches", runCases)
	register("quota", "show or edit the quota targets and the over-quota setting", runQuota)
}

// Audit actions of the fieldwork commands: the same as the staff pages'.
const (
	actionFrameImport  = fieldwork.ActionFrameImport
	actionFramePurge   = fieldwork.ActionFramePurge
	actionSampleDraw   = fieldwork.ActionSampleDraw
	actionSampleRelase = fieldwork.ActionSampleRelease
	actionLinksIssue   = fieldwork.ActionLinksIssue
	actionCasesAssign  = fieldwork.ActionCasesAssign
	actionQuotaSet     = fieldwork.ActionQuotaSet
)

// fwFlags are the flags every fieldwork subcommand takes.
type fwFlags struct {
	db, measurement, lang *string
}

func newFWFlags(fs *flag.FlagSet) fwFlags {
	return fwFlags{
		db:          dbFlag(fs),
		measurement: fs.String("measurement", "", "measurement `id`"),
		lang:        fs.String("lang", survey.LangZh, "language of messages: zh or en"),
	}
}

// fwParse parses args and checks the required flags.
func fwParse(fs *flag.FlagSet, args []string, stderr io.Writer, required map[string]*string) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	var missing []string
	for _, name := range []string{"measurement", "frame", "plan", "out", "base-url", "interviewer"} {
		if v, ok := required[name]; ok && strings.TrimSpace(*v) == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(stderr, "manyi %s: missing %s\n", fs.Name(), strings.Join(missing, ", "))
		fs.Usage()
		return false
	}
	return true
}

// fwErr reports err in the chosen language and returns the exit status:
// 2 for input the user can fix, 1 otherwise.
func fwErr(stderr io.Writer, cmd, lang string, err error) int {
	fmt.Fprintf(stderr, "manyi %s: %s\n", cmd, survey.ErrorMessage(err, lang))
	var e *survey.Error
	if errors.As(err, &e) && e.Code != survey.EINTERNAL {
		return 2
	}
	if !errors.As(err, &e) {
		// Internal errors carry detail for the operator of the command.
		fmt.Fprintf(stderr, "manyi %s: %v\n", cmd, err)
	}
	return 1
}

// fwKey reads MANYI_CONTACT_KEY; need says whether its absence is fatal.
func fwKey(stderr io.Writer, cmd string) (*secret.Key, bool) {
	k, err := secret.KeyFromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "manyi %s: %v\n", cmd, err)
		return nil, false
	}
	return k, true
}

// fwMemLimit is the soft heap limit of frame import and draw. A
// million-unit frame holds about 200 MB of live heap; with the default
// GOGC the heap would double before each collection and the process peak
// above 600 MB. Near this limit the collector runs more often instead
// (docs/PERFORMANCE.md). GOMEMLIMIT overrides it.
const fwMemLimit = 320 << 20

// fwMemoryLimit sets fwMemLimit unless GOMEMLIMIT is set.
func fwMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(fwMemLimit)
	}
}

func runFrame(args []string, stdout, stderr io.Writer) int {
	const usage = `usage:
  manyi frame import --measurement ID --frame frame.csv [--sector CODE] [--db PATH] [--allow-rejects --rejects rejects.csv] [--columns id=编号,...]
  manyi frame purge --measurement ID [--db PATH]
Contacts are sealed with the key in MANYI_CONTACT_KEY (openssl rand -base64 32).
A service measurement's frame has a sector column (its sector codes); with
--sector CODE the file is that sector's customer list and replaces only
that sector's earlier list.`
	sub, fs, code, ok := subcommand("frame", usage, args, stderr, "import", "purge")
	if !ok {
		return code
	}
	f := newFWFlags(fs)
	if sub == "purge" {
		if !fwParse(fs, args[1:], stderr, map[string]*string{"measurement": f.measurement}) {
			return 2
		}
		l := survey.NormLang(*f.lang)
		st, err := openStore(*f.db)
		if err != nil {
			return fwErr(stderr, "frame purge", l, err)
		}
		defer st.Close()
		ctx := context.Background()
		n, err := st.PurgeContacts(ctx, *f.measurement, "")
		if err != nil {
			return fwErr(stderr, "frame purge", l, err)
		}
		if err := st.Audit(ctx, auth.AuditEntry{Action: actionFramePurge, Target: *f.measurement, Detail: cliDetail("contacts", n)}); err != nil {
			return fwErr(stderr, "frame purge", l, err)
		}
		fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已删除测评 %s 的 %d 条联系方式；样本与答卷保留", *f.measurement, n),
			fmt.Sprintf("deleted %d contacts of measurement %s; cases and answers are kept", n, *f.measurement)))
		return 0
	}

	fwMemoryLimit()
	framePath := fs.String("frame", "", "frame file (id,district[,gender,age_band,contact]): CSV in UTF-8 (with or without BOM) or GBK/GB18030, or XLSX")
	rejectsPath := fs.String("rejects", "", "write rejected rows to this CSV (mode 0600: it repeats contacts)")
	allowRejects := fs.Bool("allow-rejects", false, "import the clean rows when some are bad (needs --rejects)")
	columns := fs.String("columns", "", "frame header names, e.g. id=编号,district=区县,contact=手机")
	sector := fs.String("sector", "", "service measurement: the file is this sector's customer list (sector `code`)")
	if !fwParse(fs, args[1:], stderr, map[string]*string{"measurement": f.measurement, "frame": framePath}) {
		return 2
	}
	l := survey.NormLang(*f.lang)
	if *allowRejects && *rejectsPath == "" {
		fmt.Fprintln(stderr, "manyi frame import: --allow-rejects needs --rejects, so the rejected rows are kept somewhere")
		return 2
	}
	colMap, err := sampleColumns(*columns)
	if err != nil {
		fmt.Fprintf(stderr, "manyi frame import: --columns: %v\n", err)
		return 2
	}
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, "frame import", l, err)
	}
	defer st.Close()
	ctx := context.Background()
	known, _, err := st.FrameDistricts(ctx, *f.measurement)
	if err != nil {
		return fwErr(stderr, "frame import", l, err)
	}
	m, err := st.Measurement(ctx, *f.measurement)
	if err != nil {
		return fwErr(stderr, "frame import", l, err)
	}
	sectors, err := fieldwork.FrameSectors(m, *sector)
	if err != nil {
		return fwErr(stderr, "frame import", l, err)
	}
	ff, err := os.Open(*framePath)
	if err != nil {
		fmt.Fprintf(stderr, "manyi frame import: %v\n", err)
		return 1
	}
	frame, rowErrs, _, err := sampling.ReadFrameFile(ff, sampling.FrameOptions{Columns: colMap, Districts: known, Sectors: sectors, Sector: *sector})
	ff.Close()
	if err != nil {
		if survey.ErrorCode(err) == survey.EINVALID {
			fmt.Fprintf(stderr, "%s: %s\n", *framePath, survey.ErrorMessage(err, l))
			return 2
		}
		fmt.Fprintf(stderr, "manyi frame import: reading %s: %v\n", *framePath, err)
		return 1
	}
	rejected := 0
	if len(rowErrs) > 0 {
		for _, e := range rowErrs {
			fmt.Fprintf(stderr, "%s: %s\n", *framePath, e.Line(l))
		}
		rejected = fieldwork.RejectedRows(rowErrs)
		if *rejectsPath != "" && !writeRejectsFile("frame import", *rejectsPath, frame.Header, rowErrs, l, stderr) {
			return 1
		}
		if !*allowRejects {
			fmt.Fprintln(stderr, sampleMsg(l, fmt.Sprintf("%s：%d 行有问题，未导入（修正后重试，或用 --allow-rejects --rejects 文件 只导入合格的行）", *framePath, rejected),
				fmt.Sprintf("%s: %d bad rows; nothing imported (fix them, or use --allow-rejects --rejects FILE to import the clean rows)", *framePath, rejected)))
			return 2
		}
	}
	key, _ := secret.KeyFromEnv() // ImportFrame refuses contacts without one
	var sum *fieldwork.FrameSummary
	if *sector != "" {
		sum, err = fieldwork.ImportSectorFrame(ctx, st, *f.measurement, *sector, frame, rejected, key, *framePath, "")
	} else {
		sum, err = fieldwork.ImportFrame(ctx, st, *f.measurement, frame, rejected, key, *framePath, "")
	}
	if err != nil {
		return fwErr(stderr, "frame import", l, err)
	}
	detail := cliDetail("units", sum.Units, "rejected", sum.Rejected, "contacts", sum.Contacts)
	if *sector != "" {
		detail["sector"] = *sector
	}
	if err := st.Audit(ctx, auth.AuditEntry{Action: actionFrameImport, Target: *f.measurement, Detail: detail}); err != nil {
		return fwErr(stderr, "frame import", l, err)
	}
	if *sector != "" {
		if sl := sectorListOf(ctx, st, *f.measurement, *sector); sl != nil {
			name := *sector
			if s := m.Sector(*sector); s != nil {
				name = s.Name.Get(l)
			}
			fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已导入行业“%s”的名单（%s）：%d 个单位（其中 %d 个有联系方式，已加密），剔除 %d 行；抽样框现共 %d 个单位，%d 个有联系方式",
				name, sl.Source, sl.Units, sl.Contacts, sl.Rejected, sum.Units, sum.Contacts),
				fmt.Sprintf("imported %s's list (%s): %d units (%d with contacts, sealed), %d rows rejected; the frame now has %d units, %d with contacts",
					name, sl.Source, sl.Units, sl.Contacts, sl.Rejected, sum.Units, sum.Contacts)))
			return 0
		}
	}
	fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已导入 %d 个单位（其中 %d 个有联系方式，已加密），剔除 %d 行", sum.Units, sum.Contacts, sum.Rejected),
		fmt.Sprintf("imported %d units (%d with contacts, sealed), %d rows rejected", sum.Units, sum.Contacts, sum.Rejected)))
	return 0
}

// sectorListOf returns the stored list of one sector, nil when it cannot
// be read (the import itself succeeded; the summary then gives the
// frame's totals only).
func sectorListOf(ctx context.Context, st store, measurementID, sector string) *fieldwork.SectorList {
	lists, err := st.SectorLists(ctx, measurementID)
	if err != nil {
		return nil
	}
	for i := range lists {
		if lists[i].Sector == sector {
			return &lists[i]
		}
	}
	return nil
}

func runDraw(args []string, stdout, stderr io.Writer) int {
	fwMemoryLimit()
	fs := flag.NewFlagSet("draw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := newFWFlags(fs)
	planPath := fs.String("plan", "", "sampling plan JSON (see docs/FIELDWORK.md)")
	seed := fs.Uint64("seed", 0, "random seed; it is stored with the sample")
	census := fs.String("census", "", "optional CSV district,gender,age_band,count: sets the quota targets")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: manyi draw --measurement ID --plan plan.json --seed N [--census census.csv] [--db PATH]")
		fs.PrintDefaults()
	}
	if !fwParse(fs, args, stderr, map[string]*string{"measurement": f.measurement, "plan": planPath}) {
		return 2
	}
	seedSet := false
	fs.Visit(func(fl *flag.Flag) { seedSet = seedSet || fl.Name == "seed" })
	if !seedSet {
		fmt.Fprintln(stderr, "manyi draw: missing --seed (record it: the same seed gives the same sample)")
		return 2
	}
	l := survey.NormLang(*f.lang)
	plan, code, ok := readPlanFile("draw", *planPath, l, stderr)
	if !ok {
		return code
	}
	var cens map[string]map[string]float64
	if *census != "" {
		var err error
		if cens, err = readCensus(*census); err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", *census, survey.ErrorMessage(err, l))
			return 2
		}
	}
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, "draw", l, err)
	}
	defer st.Close()
	ctx := context.Background()
	if cens != nil && plan.StratumColumn() != sampling.ColDistrict {
		fmt.Fprintln(stderr, "manyi draw: --census needs a plan stratified by district; quota targets not set")
		return 2
	}
	frame, alloc, err := fieldwork.PreviewAllocation(ctx, st, *f.measurement, plan)
	if survey.ErrorCode(err) == survey.EINVALID {
		fmt.Fprintf(stderr, "%s: %s\n", *planPath, survey.ErrorMessage(err, l))
		return 2
	}
	if err != nil {
		return fwErr(stderr, "draw", l, err)
	}
	if err := sampling.WriteTable(stdout, alloc); err != nil {
		return 1
	}
	info, _, err := fieldwork.Draw(ctx, st, *f.measurement, fieldwork.DrawRequest{Plan: plan, Seed: *seed, Census: cens, Frame: frame})
	if err != nil {
		return fwErr(stderr, "draw", l, err)
	}
	if err := st.Audit(ctx, auth.AuditEntry{Action: actionSampleDraw, Target: *f.measurement,
		Detail: cliDetail("seed", strconv.FormatUint(*seed, 10), "cases", info.Cases, "main", alloc.Total)}); err != nil {
		return fwErr(stderr, "draw", l, err)
	}
	fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已抽取并保存主样本 %d、预备样本 %d（%d 批），种子 %d；已为主样本建立 %d 个邀请",
		alloc.Total, info.Cases-alloc.Total, info.Batches, *seed, alloc.Total),
		fmt.Sprintf("drew and stored %d main and %d reserve cases (%d batches), seed %d; %d invitations created for the main sample",
			alloc.Total, info.Cases-alloc.Total, info.Batches, *seed, alloc.Total)))
	return 0
}

// readCensus reads district,gender,age_band,count into district → cell →
// count. Districts are codes; gender and age band are normalized.
func readCensus(path string) (map[string]map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, survey.Errorf(survey.EINVALID, "普查文件不是有效的 CSV：%v", "the census file is not valid CSV: %v", err)
	}
	if len(recs) < 2 || len(recs[0]) < 4 || strings.ToLower(strings.TrimSpace(recs[0][0])) != "district" {
		return nil, survey.Errorf(survey.EINVALID, "普查文件应有表头 district,gender,age_band,count", "the census file needs the header district,gender,age_band,count")
	}
	out := map[string]map[string]float64{}
	for i, rec := range recs[1:] {
		row := i + 2
		g, okG := sampling.NormalizeGender(rec[1])
		a, okA := sampling.NormalizeAgeBand(rec[2])
		n, errN := strconv.ParseFloat(strings.TrimSpace(rec[3]), 64)
		if !okG || !okA || errN != nil || n < 0 || strings.TrimSpace(rec[0]) == "" {
			return nil, survey.Errorf(survey.EINVALID, "普查文件第 %d 行无效（区县、性别、年龄段、人数）", "census row %d is invalid (district, gender, age band, count)", row)
		}
		d := strings.TrimSpace(rec[0])
		if out[d] == nil {
			out[d] = map[string]float64{}
		}
		out[d][sampling.CellKey(g, a)] += n
	}
	return out, nil
}

func runInvitations(args []string, stdout, stderr io.Writer) int {
	const usage = `usage:
  manyi invitations sms --measurement ID --base-url URL --out sms.csv (--template TEXT | --template-file FILE) [--resend | --reminder] [--district CODE,...] [--limit N] [--db PATH]
  manyi invitations qr  --measurement ID --base-url URL --out sheet.pdf [--resend] [--district CODE,...] [--limit N] [--db PATH]
Each chosen case gets a new link (the token is shown only in the file) and
becomes "sent". --resend also takes cases sent before: their earlier link
stops working. --reminder gives new links to the cases sent, opened or
partial (never completed, refused, screened out or unreachable); the
resident resumes where they stopped. The template may use {link}, {city}
and {title}.`
	sub, fs, code, ok := subcommand("invitations", usage, args, stderr, "sms", "qr")
	if !ok {
		return code
	}
	cmd := "invitations " + sub
	f := newFWFlags(fs)
	base := fs.String("base-url", envOr("MANYI_BASE_URL", ""), "public `URL` the links start with (env MANYI_BASE_URL)")
	out := fs.String("out", "", "file to write")
	resend := fs.Bool("resend", false, "also issue new links to cases sent before")
	districts := fs.String("district", "", "only these district codes, comma-separated")
	limit := fs.Int("limit", 0, "at most this many cases (0: all)")
	var tmpl, tmplFile *string
	reminder := new(bool)
	if sub == "sms" {
		tmpl = fs.String("template", "", "message template with {link}, {city}, {title}")
		tmplFile = fs.String("template-file", "", "read the message template from this file")
		reminder = fs.Bool("reminder", false, "a reminder: new links for cases sent, opened or partial (not completed, refused or unreachable)")
	}
	if !fwParse(fs, args[1:], stderr, map[string]*string{"measurement": f.measurement, "out": out, "base-url": base}) {
		return 2
	}
	l := survey.NormLang(*f.lang)
	if _, err := invite.Link(*base, "x"); err != nil {
		fmt.Fprintf(stderr, "manyi %s: --base-url: %s\n", cmd, survey.ErrorMessage(err, l))
		return 2
	}
	text := ""
	if sub == "sms" {
		text = *tmpl
		if *tmplFile != "" {
			b, err := os.ReadFile(*tmplFile)
			if err != nil {
				fmt.Fprintf(stderr, "manyi %s: %v\n", cmd, err)
				return 1
			}
			text = strings.TrimRight(strings.TrimPrefix(string(b), "\ufeff"), "\r\n")
		}
		if _, err := invite.ParseTemplate(text); err != nil {
			fmt.Fprintf(stderr, "manyi %s: --template: %s\n", cmd, survey.ErrorMessage(err, l))
			return 2
		}
	}
	req := invite.IssueRequest{Channel: sub, BaseURL: *base, Template: text, Resend: *resend, Limit: *limit, Lang: l}
	if *reminder {
		req.Channel = invite.ChannelReminder
	}
	for _, d := range strings.Split(*districts, ",") {
		if d = strings.TrimSpace(d); d != "" {
			req.Districts = append(req.Districts, d)
		}
	}
	var key *secret.Key
	if sub == "sms" {
		var ok bool
		if key, ok = fwKey(stderr, cmd); !ok {
			return 2
		}
	}
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	defer st.Close()
	ctx := context.Background()
	file, err := invite.Issue(ctx, st, *f.measurement, req, key)
	if survey.ErrorCode(err) == survey.ENOTFOUND {
		fmt.Fprintf(stderr, "manyi %s: %s; no file written\n", cmd, survey.ErrorMessage(err, l))
		return 1
	}
	if err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	for _, w := range file.Warnings {
		fmt.Fprintf(stderr, "manyi %s: %s\n", cmd, w.Get(l))
	}
	data := file.Data
	// The file holds personal links (and phone numbers): owner-only.
	if err := sampleWriteFile(*out, data, 0o600); err != nil {
		fmt.Fprintf(stderr, "manyi %s: writing %s: %v\n", cmd, *out, err)
		fmt.Fprintln(stderr, sampleMsg(l, "这些样本已标记为已发送但链接未能保存：请用 --resend 重新生成",
			"these cases are marked sent but their links were not saved: run again with --resend"))
		return 1
	}
	if err := st.Audit(ctx, auth.AuditEntry{Action: actionLinksIssue, Target: *f.measurement,
		Detail: cliDetail("channel", req.Channel, "cases", file.Links, "resend", *resend)}); err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已为 %d 个样本生成链接，写入 %s", file.Links, *out),
		fmt.Sprintf("issued links to %d cases, written to %s", file.Links, *out)))
	return 0
}

func runCases(args []string, stdout, stderr io.Writer) int {
	const usage = `usage:
  manyi cases assign --measurement ID --interviewer NAME [--district CODE] [--limit N] [--db PATH]
      assigns released, unassigned, unfinished cases to an interviewer
  manyi cases release --measurement ID [--district CODE] [--db PATH]
      releases the next reserve batch, in every stratum or one district
      (new invitations, recomputed weights)`
	sub, fs, code, ok := subcommand("cases", usage, args, stderr, "assign", "release")
	if !ok {
		return code
	}
	cmd := "cases " + sub
	f := newFWFlags(fs)
	var interviewer, district *string
	var limit *int
	req := map[string]*string{"measurement": f.measurement}
	if sub == "assign" {
		interviewer = fs.String("interviewer", "", "the interviewer's user name")
		district = fs.String("district", "", "only cases of this district code")
		limit = fs.Int("limit", 0, "at most this many cases (0: all)")
		req["interviewer"] = interviewer
	} else {
		district = fs.String("district", "", "release the next batch of this stratum (district code) only")
	}
	if !fwParse(fs, args[1:], stderr, req) {
		return 2
	}
	l := survey.NormLang(*f.lang)
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	defer st.Close()
	ctx := context.Background()
	if sub == "release" {
		var b int
		var err error
		if *district != "" {
			b, err = st.ReleaseStratumBatch(ctx, *f.measurement, *district, "")
		} else {
			b, err = st.ReleaseBatch(ctx, *f.measurement, "")
		}
		if err != nil {
			return fwErr(stderr, cmd, l, err)
		}
		if err := st.Audit(ctx, auth.AuditEntry{Action: actionSampleRelase, Target: *f.measurement, Detail: cliDetail("batch", b, "stratum", *district)}); err != nil {
			return fwErr(stderr, cmd, l, err)
		}
		fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已启用预备样本第 %d 批", b), fmt.Sprintf("released reserve batch %d", b)))
		return 0
	}
	n, err := fieldwork.Assign(ctx, st, *f.measurement, fieldwork.AssignRequest{Interviewer: *interviewer, District: *district, Limit: *limit})
	if err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	if err := st.Audit(ctx, auth.AuditEntry{Action: actionCasesAssign, Target: *f.measurement, Detail: cliDetail("interviewer", *interviewer, "cases", n)}); err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已将 %d 个样本分配给访员 %s", n, *interviewer), fmt.Sprintf("assigned %d cases to interviewer %s", n, *interviewer)))
	return 0
}

func runQuota(args []string, stdout, stderr io.Writer) int {
	const usage = `usage:
  manyi quota show --measurement ID [--db PATH]
  manyi quota set  --measurement ID [--targets targets.csv] [--allow-over true|false] [--db PATH]
targets.csv has the header district,gender,age_band,target (district codes);
the cells it lists get its targets, other cells keep theirs.`
	sub, fs, code, ok := subcommand("quota", usage, args, stderr, "show", "set")
	if !ok {
		return code
	}
	cmd := "quota " + sub
	f := newFWFlags(fs)
	var targets, allowOver *string
	if sub == "set" {
		targets = fs.String("targets", "", "CSV district,gender,age_band,target")
		allowOver = fs.String("allow-over", "", "true or false: may cells go over their targets")
	}
	if !fwParse(fs, args[1:], stderr, map[string]*string{"measurement": f.measurement}) {
		return 2
	}
	l := survey.NormLang(*f.lang)
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	defer st.Close()
	ctx := context.Background()
	if sub == "set" {
		if *targets == "" && *allowOver == "" {
			fmt.Fprintln(stderr, "manyi quota set: give --targets, --allow-over or both")
			return 2
		}
		detail := cliDetail()
		if *targets != "" {
			t, err := readCensus(*targets)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %s\n", *targets, survey.ErrorMessage(err, l))
				return 2
			}
			ints := map[string]map[string]int{}
			cells := 0
			for d, cs := range t {
				ints[d] = map[string]int{}
				for k, v := range cs {
					if v != float64(int(v)) {
						fmt.Fprintf(stderr, "%s: %s\n", *targets, sampleMsg(l, "目标必须是整数", "targets must be whole numbers"))
						return 2
					}
					ints[d][k] = int(v)
					cells++
				}
			}
			if err := st.SetQuotaTargets(ctx, *f.measurement, ints); err != nil {
				return fwErr(stderr, cmd, l, err)
			}
			detail["cells"] = cells
		}
		if *allowOver != "" {
			b, err := strconv.ParseBool(*allowOver)
			if err != nil {
				fmt.Fprintln(stderr, "manyi quota set: --allow-over must be true or false")
				return 2
			}
			if err := st.SetQuotaAllowOver(ctx, *f.measurement, b); err != nil {
				return fwErr(stderr, cmd, l, err)
			}
			detail["allow_over"] = b
		}
		if err := st.Audit(ctx, auth.AuditEntry{Action: actionQuotaSet, Target: *f.measurement, Detail: detail}); err != nil {
			return fwErr(stderr, cmd, l, err)
		}
	}
	qs, err := st.Quotas(ctx, *f.measurement)
	if err != nil {
		return fwErr(stderr, cmd, l, err)
	}
	tw := csv.NewWriter(stdout)
	tw.Write([]string{"district", "cell", "target", "taken", "completes", "shortfall"})
	for _, c := range qs.Cells {
		tw.Write([]string{c.District, c.Cell, strconv.Itoa(c.Target), strconv.Itoa(c.Count), strconv.Itoa(c.Completes), strconv.Itoa(c.Shortfall())})
	}
	tw.Flush()
	fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("允许超出配额：%v", qs.AllowOver), fmt.Sprintf("over quota allowed: %v", qs.AllowOver)))
	return 0
}

// subcommand picks the subcommand of the command group (one of subs) from
// args and makes its flag set, which prints usage on -h. ok is false when
// args name no subcommand: usage has been printed and code is the exit
// status (0 when help was asked for, 2 otherwise).
func subcommand(group, usage string, args []string, stderr io.Writer, subs ...string) (sub string, fs *flag.FlagSet, code int, ok bool) {
	if len(args) == 0 || !slices.Contains(subs, args[0]) {
		fmt.Fprintln(stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return "", nil, 0, false
		}
		return "", nil, 2, false
	}
	sub = args[0]
	fs = flag.NewFlagSet(group+" "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage); fs.PrintDefaults() }
	return sub, fs, 0, true
}
