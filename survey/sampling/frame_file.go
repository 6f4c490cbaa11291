package sampling

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"manyi/survey"
)

// Frame file formats and text encodings, as FrameFileInfo reports them.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"

	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8-bom"
	EncodingGB18030 = "gb18030"
)

// FrameFileInfo says how a frame file was read.
type FrameFileInfo struct {
	Format   string // FormatCSV or FormatXLSX
	Encoding string // for CSV: EncodingUTF8, EncodingUTF8BOM or EncodingGB18030
	Sheet    string // for XLSX: the sheet read (the first one)
}

// xlsxMagic starts every XLSX file (a ZIP archive).
var xlsxMagic = []byte("PK\x03\x04")

// ReadFrameFile reads a frame file of any format the office uses: CSV in
// UTF-8 with or without a byte-order mark, CSV in GBK/GB18030 (what Excel
// on a Chinese Windows writes for "CSV (逗号分隔)"), or an XLSX workbook
// (its first sheet). The format and the encoding are detected from the
// bytes, never from the file name: a file starting with the ZIP signature
// is XLSX; a CSV that is not valid UTF-8 throughout is decoded as
// GB18030, the superset of GBK. Row numbers in the errors are the file's
// lines for CSV and the sheet's rows for XLSX (header = 1), so the user
// finds the row in the program they edit it with. Otherwise it is
// ReadFrame.
//
// r is read twice (once to detect the encoding): it must be seekable.
func ReadFrameFile(r io.ReadSeeker, opts FrameOptions) (*Frame, []RowError, FrameFileInfo, error) {
	var info FrameFileInfo
	head := make([]byte, 4)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, info, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, nil, info, err
	}
	if n == 4 && bytes.Equal(head, xlsxMagic) {
		info.Format = FormatXLSX
		return readFrameXLSX(r, opts, info)
	}
	info.Format = FormatCSV
	valid, err := validUTF8(r)
	if err != nil {
		return nil, nil, info, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, nil, info, err
	}
	var src io.Reader = r
	switch {
	case n >= 3 && string(head[:3]) == "\ufeff":
		// A BOM says UTF-8: a bad byte after it is a damaged file, which
		// ReadFrame reports row by row.
		info.Encoding = EncodingUTF8BOM
	case valid:
		info.Encoding = EncodingUTF8
	default:
		info.Encoding = EncodingGB18030
		src = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
		if opts.SizeHint <= 0 {
			opts.SizeHint = estimateRows(r)
		}
	}
	f, errs, err := ReadFrame(src, opts)
	return f, errs, info, err
}

// validUTF8 reports whether everything r holds is valid UTF-8, reading it
// in 1 MB pieces (a rune cut at a piece's end is carried over).
func validUTF8(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	buf := make([]byte, 1<<20+utf8.UTFMax)
	carry := 0
	for {
		n, err := br.Read(buf[carry : carry+1<<20])
		n += carry
		chunk := buf[:n]
		// Keep an incomplete rune at the end for the next piece.
		cut := n
		for i := n - 1; i >= 0 && i >= n-utf8.UTFMax+1; i-- {
			if utf8.RuneStart(chunk[i]) {
				if !utf8.FullRune(chunk[i:]) {
					cut = i
				}
				break
			}
		}
		if err == io.EOF {
			return utf8.Valid(chunk), nil
		}
		if err != nil {
			return false, err
		}
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = copy(buf, chunk[cut:])
	}
}

// readFrameXLSX turns the workbook's first sheet into CSV, one line per
// sheet row (line breaks inside a cell become spaces, so line numbers are
// row numbers), and reads that with ReadFrame. Cells are read raw: a phone
// number stored as a number is its digits, not "1.39E+10".
func readFrameXLSX(r io.Reader, opts FrameOptions, info FrameFileInfo) (*Frame, []RowError, FrameFileInfo, error) {
	x, err := excelize.OpenReader(r)
	if err != nil {
		return nil, nil, info, survey.Errorf(survey.EINVALID, "无法读取 Excel 文件：%v", "the Excel file cannot be read: %v", err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, info, survey.Errorf(survey.EINVALID, "Excel 文件中没有工作表", "the Excel file has no sheet")
	}
	info.Sheet = sheets[0]
	rows, err := x.Rows(info.Sheet)
	if err != nil {
		return nil, nil, info, survey.Errorf(survey.EINVALID, "无法读取工作表“%s”：%v", "sheet %q cannot be read: %v", info.Sheet, err)
	}
	defer rows.Close()
	pr, pw := io.Pipe()
	go func() {
		cw := csv.NewWriter(pw)
		width := 0
		var werr error
		for rows.Next() && werr == nil {
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				werr = survey.Errorf(survey.EINVALID, "工作表“%s”无法读取：%v", "sheet %q cannot be read: %v", info.Sheet, err)
				break
			}
			for i, c := range cols {
				cols[i] = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(c)
			}
			if width == 0 {
				width = len(cols)
			} else if len(cols) > 0 && len(cols) < width {
				// Excel leaves trailing empty cells out.
				cols = append(cols, make([]string, width-len(cols))...)
			}
			if len(cols) == 0 {
				// An empty row keeps its line, so later rows keep their numbers.
				cw.Flush()
				if _, err := io.WriteString(pw, "\n"); err != nil {
					werr = err
				}
				continue
			}
			werr = cw.Write(cols)
		}
		cw.Flush()
		if werr == nil {
			werr = cw.Error()
		}
		if werr == nil {
			werr = rows.Error()
		}
		pw.CloseWithError(werr)
	}()
	f, errs, err := ReadFrame(pr, opts)
	pr.CloseWithError(fmt.Errorf("sampling: frame reading stopped"))
	return f, errs, info, err
}
