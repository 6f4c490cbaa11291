package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/setup"
)

func init() {
	register("measurement", "create a measurement (districts, previous year, questionnaire source) or list them", runMeasurement)
}

// runMeasurement implements "manyi measurement": a thin caller of
// setup.Create, the function the New measurement page calls.
func runMeasurement(args []string, stdout, stderr io.Writer) int {
	const usage = `usage:
  manyi measurement create --title 标题 --city 城市 --year 2027 (--districts FILE | --districts-from-prev) [--prev ID]
                           [--questionnaire default|MEASUREMENT] [--id ID] [--title-en T] [--city-en C] [--office O] [--db PATH]
                           [--kind resident|service] [--sectors FILE | --sectors-from-prev]
  manyi measurement list [--db PATH]
FILE has one district (or sector) per line: code | 中文名称 | English name (docs/OFFICE.md, docs/SERVICE.md).`
	sub, fs, code, ok := subcommand("measurement", usage, args, stderr, "create", "list")
	if !ok {
		return code
	}
	f := newFWFlags(fs)
	ctx := context.Background()
	if sub == "list" {
		if !fwParse(fs, args[1:], stderr, nil) {
			return 2
		}
		st, err := openStore(*f.db)
		if err != nil {
			return fwErr(stderr, "measurement list", survey.NormLang(*f.lang), err)
		}
		defer st.Close()
		ms, err := st.Measurements(ctx)
		if err != nil {
			return fwErr(stderr, "measurement list", survey.NormLang(*f.lang), err)
		}
		for _, m := range ms {
			fmt.Fprintf(stdout, "%s\t%d\t%s\t%s\n", m.ID, m.Year, m.Status, m.Title.Get(*f.lang))
		}
		return 0
	}
	title := fs.String("title", "", "title in Chinese")
	titleEn := fs.String("title-en", "", "title in English")
	city := fs.String("city", "", "city in Chinese")
	cityEn := fs.String("city-en", "", "city in English")
	office := fs.String("office", "", "commissioning office in Chinese")
	year := fs.Int("year", 0, "year of the measurement")
	id := fs.String("id", "", "measurement id (default m<year>)")
	districts := fs.String("districts", "", "districts `file`, one per line: code | 中文 | English")
	fromPrev := fs.Bool("districts-from-prev", false, "copy the districts of --prev")
	prev := fs.String("prev", "", "previous measurement `id` for year-on-year comparison")
	kind := fs.String("kind", survey.KindResident, "kind of measurement: resident or service")
	sectors := fs.String("sectors", "", "a service measurement's sectors `file`, one per line: code | 中文 | English (default: the default sectors)")
	sectorsFromPrev := fs.Bool("sectors-from-prev", false, "copy the sectors of --prev (service measurement)")
	qfrom := fs.String("questionnaire", setup.QuestionnaireDefault, "questionnaire source: default, or a measurement id to copy")
	if !fwParse(fs, args[1:], stderr, nil) {
		return 2
	}
	l := survey.NormLang(*f.lang)
	in := setup.NewMeasurement{
		ID: *id, Title: survey.Text{Zh: *title, En: *titleEn}, City: survey.Text{Zh: *city, En: *cityEn},
		Office: survey.Text{Zh: *office}, Year: *year, PrevID: *prev, CopyDistricts: *fromPrev, QuestionnaireFrom: *qfrom,
	}
	if !*fromPrev {
		if *districts == "" {
			fmt.Fprintln(stderr, "manyi measurement create: give --districts FILE or --districts-from-prev")
			return 2
		}
		ds, ok := readListFile(stderr, *districts, l, setup.ParseDistricts)
		if !ok {
			return 2
		}
		in.Districts = ds
	}
	in.Kind, in.CopySectors = *kind, *sectorsFromPrev
	if *kind == survey.KindService && !*sectorsFromPrev {
		in.Sectors = survey.DefaultSectors()
		if *sectors != "" {
			ss, ok := readListFile(stderr, *sectors, l, setup.ParseSectors)
			if !ok {
				return 2
			}
			in.Sectors = ss
		}
	}
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, "measurement create", l, err)
	}
	defer st.Close()
	m, err := setup.Create(ctx, st, in, "")
	if err != nil {
		if se, ok := err.(*survey.Error); ok {
			for _, fe := range se.Fields {
				fmt.Fprintf(stderr, "manyi measurement create: %s: %s\n", fe.Field, fe.Message.Get(l))
			}
		}
		return fwErr(stderr, "measurement create", l, err)
	}
	if err := st.Audit(ctx, auth.AuditEntry{Action: "measurement.create", Target: m.ID, Detail: cliDetail("year", m.Year, "kind", m.Kind, "sectors", len(m.Sectors), "districts", len(m.Districts), "prev", m.PrevID)}); err != nil {
		return fwErr(stderr, "measurement create", l, err)
	}
	fmt.Fprintln(stdout, m.ID)
	return 0
}

// readListFile reads a districts or sectors file (one "code name" per
// line) with parse, printing each problem with the file's name.
func readListFile[T any](stderr io.Writer, path, lang string, parse func(string) ([]T, []survey.FieldError)) ([]T, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "manyi measurement create: %v\n", err)
		return nil, false
	}
	out, errs := parse(string(data))
	for _, e := range errs {
		fmt.Fprintf(stderr, "%s: %s\n", path, e.Message.Get(lang))
	}
	return out, len(errs) == 0
}
