# reproduce.R: written by manyi (survey/analysis). It recomputes every
# estimate of the results page from data.csv, design.json and queries.json
# in this folder with the R survey package, as the reference cases'
# README describes (stats/testdata/estimation/README.md):
#   Rscript reproduce.R
# and prints one line per estimate (query id, domain, estimate, SE, CI).
# Needs the packages survey and jsonlite.
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

d <- read.csv("data.csv", na.strings = c("", "NA"), check.names = FALSE,
              stringsAsFactors = FALSE)
spec <- fromJSON("design.json", simplifyVector = FALSE)
queries <- fromJSON("queries.json", simplifyVector = FALSE)
bq <- function(x) paste0("`", x, "`")
fml <- function(vars) as.formula(paste("~", paste(bq(vars), collapse = " + ")))

options(survey.lonely.psu = if (is.null(spec$lonely_psu)) "fail" else spec$lonely_psu)

# Calibration margins become one factor per margin (joint cells joined
# with "|"), levels in the order of the totals.
cal <- spec$calibration
if (!is.null(cal)) {
  for (k in seq_along(cal$margins)) {
    m <- cal$margins[[k]]
    cells <- do.call(paste, c(lapply(unlist(m$variables), function(v) as.character(d[[v]])), sep = "|"))
    d[[paste0(".m", k)]] <- factor(cells, levels = names(m$totals))
  }
}

ids <- if (length(spec$ids)) fml(unlist(spec$ids)) else ~1
des <- svydesign(ids = ids,
                 strata = if (!is.null(spec$strata)) fml(spec$strata) else NULL,
                 weights = if (!is.null(spec$weights)) fml(spec$weights) else NULL,
                 fpc = if (length(spec$fpc)) fml(unlist(spec$fpc)) else NULL,
                 nest = isTRUE(spec$nest), data = d)

if (!is.null(cal)) {
  eps <- if (is.null(cal$epsilon)) 1e-10 else cal$epsilon
  maxit <- if (is.null(cal$maxit)) 100 else cal$maxit
  if (cal$method == "poststratify") {
    m <- cal$margins[[1]]
    pop <- data.frame(.m1 = factor(names(m$totals), levels = names(m$totals)),
                      Freq = unlist(m$totals))
    des <- postStratify(des, ~.m1, pop)
  } else {
    vars <- paste0(".m", seq_along(cal$margins))
    pop <- c(`(Intercept)` = sum(unlist(cal$margins[[1]]$totals)))
    for (k in seq_along(cal$margins)) {
      t <- unlist(cal$margins[[k]]$totals)
      pop <- c(pop, setNames(t[-1], paste0(vars[k], names(t)[-1])))
    }
    bounds <- if (length(cal$bounds)) unlist(cal$bounds) else c(-Inf, Inf)
    des <- calibrate(des, as.formula(paste("~", paste(vars, collapse = " + "))),
                     population = pop, calfun = cal$method, bounds = bounds,
                     epsilon = eps, maxit = maxit)
  }
}

level_of <- function(q) if (is.null(q$level)) 0.95 else q$level
out <- function(id, dom, est, se, level) {
  z <- qnorm(1 - (1 - level) / 2)
  cat(sprintf("%s\t%s\t%.10g\t%.10g\t%.10g\t%.10g\n", id, dom, est, se, est - z * se, est + z * se))
}

# The index as R computes it: svytotal of the item numerators and
# denominators, then svycontrast of sum c_k num_k / den_k; dom restricts it
# to a domain. Items without a valid answer in the domain are left out.
index_terms <- function(items, dom, tag) {
  vars <- c(); ex <- c(); w <- c()
  for (k in seq_along(items)) {
    it <- items[[k]]
    y <- d[[it$var]]
    ok <- !is.na(y) & y >= it$min & y <= it$max & dom
    nk <- paste0(".n", tag, k); dk <- paste0(".d", tag, k)
    des$variables[[nk]] <<- ifelse(ok, 100 * (y - it$min) / (it$max - it$min), 0)
    des$variables[[dk]] <<- as.numeric(ok)
    if (any(ok & weights(des) > 0)) {
      vars <- c(vars, nk, dk); ex <- c(ex, paste0(nk, "/", dk)); w <- c(w, it$weight)
    }
  }
  list(vars = vars, expr = paste(sprintf("%.17g * %s", w / sum(w), ex), collapse = " + "))
}
index_est <- function(items, dom) {
  t <- index_terms(items, dom, "a")
  tt <- svytotal(fml(t$vars), des)
  r <- svycontrast(tt, parse(text = t$expr)[[1]])
  c(coef(r), SE(r))
}
domains_of <- function(by) {
  key <- do.call(paste, c(lapply(unlist(by), function(v) as.character(d[[v]])), sep = "|"))
  sort(unique(key[!is.na(key) & !grepl("(^|\\|)NA($|\\|)", key)]))
}
in_domain <- function(by, val) {
  key <- do.call(paste, c(lapply(unlist(by), function(v) as.character(d[[v]])), sep = "|"))
  !is.na(key) & key == val
}

byq <- list()
for (q in queries) {
  if (!is.null(q$by)) byq[[q$id]] <- q
}

for (q in queries) {
  lev <- level_of(q)
  doms <- if (is.null(q$by)) "(all)" else domains_of(q$by)
  for (dm in doms) {
    inside <- if (is.null(q$by)) rep(TRUE, nrow(d)) else in_domain(q$by, dm)
    if (q$kind == "index") {
      e <- index_est(q$items, inside)
      out(q$id, dm, e[1], e[2], lev)
    } else if (q$kind == "mean") {
      # Values outside the domain must not be NA: a calibrated design's
      # residuals use every row.
      v <- d[[q$var]]
      des$variables$.y <- ifelse(is.na(v), 0, v)
      sub <- subset(des, inside & !is.na(v))
      r <- svymean(~.y, sub)
      out(q$id, dm, coef(r)[[1]], SE(r)[[1]], lev)
    } else if (q$kind == "proportion") {
      v <- d[[q$var]]
      des$variables$.is <- ifelse(is.na(v), 0, as.numeric(as.character(v) == as.character(q$value)))
      sub <- subset(des, inside & !is.na(v))
      r <- svymean(~.is, sub)
      p <- svyciprop(~I(.is == 1), sub, method = "logit", level = lev)
      ci <- attr(p, "ci")
      cat(sprintf("%s\t%s\t%.10g\t%.10g\t%.10g\t%.10g\n", q$id, dm, coef(r)[[1]], SE(r)[[1]], ci[[1]], ci[[2]]))
    } else if (q$kind == "regression") {
      f <- as.formula(paste(bq(q$y), "~", paste(bq(unlist(q$x)), collapse = " + ")))
      r <- svyglm(f, des)
      cf <- coef(r); se <- SE(r)
      for (j in seq_along(cf)) cat(sprintf("%s\t%s\t%.10g\t%.10g\n", q$id, names(cf)[j], cf[[j]], se[[j]]))
    } else if (q$kind == "contrast") {
      of <- byq[[q$of]]
      ka <- paste(sapply(unlist(of$by), function(v) q$a[[v]]), collapse = "|")
      kb <- paste(sapply(unlist(of$by), function(v) q$b[[v]]), collapse = "|")
      ta <- index_terms(of$items, in_domain(of$by, ka), "a")
      tb <- index_terms(of$items, in_domain(of$by, kb), "b")
      tt <- svytotal(fml(c(ta$vars, tb$vars)), des)
      r <- svycontrast(tt, parse(text = paste0("(", ta$expr, ") - (", tb$expr, ")"))[[1]])
      out(q$id, "(all)", coef(r)[[1]], SE(r)[[1]], lev)
    }
  }
}
