package sampling

import (
	"bytes"
	"strings"
	"testing"

	"manyi/survey"
)

var testDistricts = []string{"上城区", "西湖区", "淳安县"}

func TestReadFrameClean(t *testing.T) {
	in := "\ufeffid,district,gender,age_band,contact,note\n" +
		"r1,上城区,男,18-29,138 0013 8000,x\n" +
		"r2, 西湖区 ,female,30–44,+86 139-0000-0001,\n" +
		"r3,淳安县,,47,0086 13700000002,\n" +
		"r4,淳安县,F,,0571-88886666,\n" +
		"r5,上城区,m,60~70,,\n"
	f, errs, err := ReadFrame(strings.NewReader(in), FrameOptions{Districts: testDistricts})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 0 {
		t.Fatalf("got row errors %v, want none", errs)
	}
	want := []Unit{
		{ID: "r1", District: "上城区", Gender: GenderMale, AgeBand: "18-29", Contact: "13800138000", Row: 2},
		{ID: "r2", District: "西湖区", Gender: GenderFemale, AgeBand: "30-44", Contact: "13900000001", Row: 3},
		{ID: "r3", District: "淳安县", AgeBand: "45-59", Contact: "13700000002", Row: 4},
		{ID: "r4", District: "淳安县", Gender: GenderFemale, Contact: "057188886666", Row: 5},
		{ID: "r5", District: "上城区", Gender: GenderMale, AgeBand: "60-70", Row: 6},
	}
	if len(f.Units) != len(want) {
		t.Fatalf("got %d units, want %d", len(f.Units), len(want))
	}
	for i := range want {
		if f.Units[i] != want[i] {
			t.Errorf("unit %d: got %+v, want %+v", i, f.Units[i], want[i])
		}
	}
	if f.Header[0] != "id" {
		t.Errorf("got header[0] %q, want id (BOM stripped)", f.Header[0])
	}
	c := f.Counts(ColDistrict)
	if c["上城区"] != 2 || c["西湖区"] != 1 || c["淳安县"] != 2 {
		t.Errorf("got counts %v, want 上城区 2, 西湖区 1, 淳安县 2", c)
	}
}

func TestReadFrameColumnsMapped(t *testing.T) {
	in := "编号,区县,手机\nA,上城区,13800138000\nB,西湖区,\n"
	opts := FrameOptions{Columns: map[string]string{ColID: "编号", ColDistrict: "区县", ColContact: "手机"}}
	f, errs, err := ReadFrame(strings.NewReader(in), opts)
	if err != nil || len(errs) != 0 {
		t.Fatalf("got err %v, row errors %v; want none", err, errs)
	}
	if got := len(f.Units); got != 2 {
		t.Fatalf("got %d units, want 2", got)
	}
	if f.Units[0].Contact != "13800138000" || f.Units[1].District != "西湖区" {
		t.Errorf("got %+v, want contact and district read through the mapping", f.Units)
	}
	// With no known districts, any district is accepted and counted.
	if c := f.Counts(ColDistrict); len(c) != 2 {
		t.Errorf("got counts %v, want two districts", c)
	}
}

func TestReadFrameRowErrors(t *testing.T) {
	in := "id,district,gender,age_band,contact\n" + // 1
		"a1,上城区,男,18-29,13800138000\n" + // 2 ok
		"a2,朝阳区,男,18-29,\n" + // 3 unknown district
		"a1,西湖区,女,30-44,\n" + // 4 duplicate id of row 2
		"a4,西湖区,x,30-44,\n" + // 5 bad gender
		"a5,西湖区,女,17,\n" + // 6 bad age band
		"a6,西湖区,女,30-44,12345\n" + // 7 malformed phone
		"a7,西湖区\n" + // 8 wrong number of fields
		",西湖区,女,30-44,\n" + // 9 empty id
		"a9,\"淳安\n县\",女,30-44,\n" + // 10-11 multi-line field, unknown district at row 10
		"a10,上城区,男,18-29,\"1380013\"8000\"\n" + // 12 bare quote
		"a11,,女,abc,+8613800138000\n" + // 13 empty district and bad age band
		"a12,淳安县,女,60-70,13800138001\n" + // 14 ok
		"a13,\xc9\xcf\xb3\xc7\xc7\xf8,女,60-70,\n" // 15 上城区 in GBK
	f, errs, err := ReadFrame(strings.NewReader(in), FrameOptions{Districts: testDistricts})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		row int
		col string
		en  string
	}{
		{3, ColDistrict, `unknown district "朝阳区"`},
		{4, ColID, `id "a1" duplicates row 2`},
		{5, ColGender, `gender "x" not recognised`},
		{6, ColAgeBand, `age band "17" not recognised`},
		{7, ColContact, "malformed phone number"},
		{8, "", "has 2 fields, the header has 5"},
		{9, ColID, "id is empty"},
		{10, ColDistrict, "unknown district"},
		{12, "", "malformed CSV"},
		{13, ColDistrict, "district is empty"},
		{13, ColAgeBand, `age band "abc" not recognised`},
		{15, "", "not valid UTF-8"},
	}
	if len(errs) != len(want) {
		for _, e := range errs {
			t.Log(e)
		}
		t.Fatalf("got %d row errors, want %d", len(errs), len(want))
	}
	for i, w := range want {
		e := errs[i]
		if e.Row != w.row || e.Column != w.col || !strings.Contains(e.Reason.En, w.en) || e.Reason.Zh == "" {
			t.Errorf("error %d: got row %d column %q %q / %q, want row %d column %q containing %q", i, e.Row, e.Column, e.Reason.En, e.Reason.Zh, w.row, w.col, w.en)
		}
	}
	if got := len(f.Units); got != 2 {
		t.Errorf("got %d clean units, want 2", got)
	}
	// The phone is never echoed back in a message.
	for _, e := range errs {
		if strings.Contains(e.Line(survey.LangZh), "12345") || strings.Contains(e.Error(), "12345") {
			t.Errorf("message %q repeats a phone number", e.Error())
		}
	}
	if got, want := errs[0].Line(survey.LangZh), "第 3 行：区县“朝阳区”不在已知区县之列"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	var buf bytes.Buffer
	if err := WriteRejects(&buf, f.Header, errs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// header + rows 3,4,5,6,7,8,9,10 (two lines: quoted newline),12,13
	if got, want := lines[0], "row,reason,id,district,gender,age_band,contact"; got != want {
		t.Errorf("got rejects header %q, want %q", got, want)
	}
	if !strings.HasPrefix(lines[1], "3,") || !strings.Contains(lines[1], "朝阳区") {
		t.Errorf("got first reject %q, want row 3 with its fields", lines[1])
	}
	if !strings.Contains(buf.String(), "13,\"区县为空；年龄段") || !strings.Contains(buf.String(), "district is empty; age band") {
		t.Errorf("got rejects %q, want row 13's two reasons joined", buf.String())
	}
}

func TestReadFrameFatal(t *testing.T) {
	tests := []struct {
		name, in string
		opts     FrameOptions
		want     string
	}{
		{"empty", "", FrameOptions{}, "empty"},
		{"BOM only", "\ufeff", FrameOptions{}, "empty"},
		{"no district column", "id,name\n1,x\n", FrameOptions{}, `no column "district"`},
		{"no id column", "\ufeffdistrict\nx\n", FrameOptions{}, `no column "id"`},
		{"mapped column missing", "id,district\n", FrameOptions{Columns: map[string]string{ColID: "编号"}}, `no column "编号"`},
		{"bad mapping key", "id,district\n", FrameOptions{Columns: map[string]string{"phone": "tel"}}, "not a frame column"},
		{"duplicate header", "id,district,ID\n", FrameOptions{}, "twice"},
		{"broken header", "id,\"district\n", FrameOptions{}, "header"},
		{"GBK header", "id,\xc7\xf8\xcf\xd8\n", FrameOptions{}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadFrame(strings.NewReader(tt.in), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if survey.ErrorCode(err) != survey.EINVALID {
				t.Errorf("got code %q, want %q", survey.ErrorCode(err), survey.EINVALID)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"13800138000", "13800138000", true},
		{"138-0013-8000", "13800138000", true},
		{"+8613800138000", "13800138000", true},
		{"+86 138 0013 8000", "13800138000", true},
		{"008613800138000", "13800138000", true},
		{"19912345678", "19912345678", true},
		{"12800138000", "", false}, // 1[3-9]
		{"1380013800", "", false},  // 10 digits
		{"138001380001", "", false},
		{"010-12345678", "01012345678", true},
		{"0571-8888666", "05718888666", true},
		{"0571 88886666", "057188886666", true},
		{"+86 10 12345678", "01012345678", true},
		{"+86 571 88886666", "057188886666", true},
		{"0086-571-88886666", "057188886666", true},
		{"12345678", "", false}, // no area code
		{"0012345678", "", false},
		{"+1 202 555 0100", "", false},
		{"+", "", false},
		{"138OO138000", "", false},
		{"tel:13800138000", "", false},
		{"13800138000+", "", false},
		{"999999999999999999999999999", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePhone(%q): got %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormalizeGenderAgeBand(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"男", GenderMale, true}, {" Female ", GenderFemale, true}, {"M", GenderMale, true}, {"", "", true}, {"未知", "", false}} {
		if got, ok := NormalizeGender(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeGender(%q): got %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"18-29", "18-29", true}, {"30—44", "30-44", true}, {"45 至 59", "45-59", true}, {"60～70", "60-70", true},
		{"18", "18-29", true}, {"70", "60-70", true}, {"71", "", false}, {"17", "", false}, {"18-30", "", false}, {"", "", true}} {
		if got, ok := NormalizeAgeBand(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeAgeBand(%q): got %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAgeBand(t *testing.T) {
	for _, tt := range []struct {
		age  int
		want string
	}{{17, ""}, {18, "18-29"}, {29, "18-29"}, {30, "30-44"}, {44, "30-44"}, {45, "45-59"}, {59, "45-59"}, {60, "60-70"}, {70, "60-70"}, {71, ""}} {
		if got := AgeBand(tt.age); got != tt.want {
			t.Errorf("AgeBand(%d): got %q, want %q", tt.age, got, tt.want)
		}
	}
}

func TestReadFrameSectors(t *testing.T) {
	sectors := []string{"retail", "bank"}
	in := "id,district,sector\n" +
		"a,上城区,retail\n" +
		"b,西湖区, bank \n" +
		"c,上城区,hotel\n" +
		"d,淳安县,\n" +
		"e,上城区,retail\n"
	f, errs, err := ReadFrame(strings.NewReader(in), FrameOptions{Districts: testDistricts, Sectors: sectors})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].Row != 4 || errs[0].Column != ColSector || errs[1].Row != 5 || errs[1].Column != ColSector {
		t.Fatalf("got row errors %v, want rows 4 and 5 on sector", errs)
	}
	if got, want := errs[0].Line(survey.LangZh), "第 4 行：行业“hotel”不在本测评的行业之列"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := errs[0].Line(survey.LangEn), `row 4: unknown sector "hotel"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	c := f.Counts(ColSector)
	if c["retail"] != 2 || c["bank"] != 1 || len(c) != 2 {
		t.Errorf("got counts %v, want retail 2, bank 1", c)
	}
	cc := f.CellCounts(ColSector, ColDistrict)
	if cc[[2]string{"retail", "上城区"}] != 2 || cc[[2]string{"bank", "西湖区"}] != 1 || len(cc) != 2 {
		t.Errorf("got cell counts %v, want retail|上城区 2, bank|西湖区 1", cc)
	}

	// A whole frame without a sector column is refused as a file.
	_, _, err = ReadFrame(strings.NewReader("id,district\na,上城区\n"), FrameOptions{Sectors: sectors})
	if err == nil || !strings.Contains(err.Error(), "sector") {
		t.Errorf("got %v, want the missing sector column", err)
	}
}

func TestReadFrameOneSector(t *testing.T) {
	opts := FrameOptions{Districts: testDistricts, Sectors: []string{"retail", "bank"}, Sector: "bank"}
	// Without a sector column every row gets the list's sector.
	f, errs, err := ReadFrame(strings.NewReader("id,district\na,上城区\nb,西湖区\n"), opts)
	if err != nil || len(errs) != 0 {
		t.Fatalf("got err %v, row errors %v; want none", err, errs)
	}
	for _, u := range f.Units {
		if u.Sector != "bank" {
			t.Errorf("unit %s: got sector %q, want bank", u.ID, u.Sector)
		}
	}
	// A sector column must agree.
	_, errs, err = ReadFrame(strings.NewReader("id,district,sector\na,上城区,bank\nb,西湖区,retail\nc,西湖区,\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Row != 3 || errs[0].Column != ColSector {
		t.Fatalf("got row errors %v, want row 3 on sector", errs)
	}
	if got, want := errs[0].Line(survey.LangEn), `row 3: sector "retail" differs from this list's sector "bank"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A sector that is not the measurement's is refused as a whole.
	opts.Sector = "hotel"
	if _, _, err := ReadFrame(strings.NewReader("id,district\na,上城区\n"), opts); err == nil {
		t.Error("got no error for an unknown list sector")
	}
}

func TestReadFrameResidentsIgnoreSector(t *testing.T) {
	// A residents' measurement passes no sectors: the column is ignored.
	f, errs, err := ReadFrame(strings.NewReader("id,district,sector\na,上城区,whatever\n"), FrameOptions{Districts: testDistricts})
	if err != nil || len(errs) != 0 {
		t.Fatalf("got err %v, row errors %v; want none", err, errs)
	}
	if f.Units[0].Sector != "" {
		t.Errorf("got sector %q, want it ignored", f.Units[0].Sector)
	}
}
