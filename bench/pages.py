"""Every page of officers and the public against the SQL it runs, at two volumes (issue 12).

    .venv/bin/python bench/pages.py [--repeat 15] [--plans] URL_19K URL_190K
    .venv/bin/python bench/pages.py --json small.json URL_19K      # one volume, saved
    .venv/bin/python bench/pages.py --baseline small.json URL_190K # merged with it

Each page is requested through Django's test Client (signed in, with two-factor sign-in
where the role needs it), so the server time is the whole view: middleware, session,
queries, Python and template, without a network or a web server. After three warm-up
requests it is requested --repeat times: median and 95th percentile (nearest rank). One
more request runs inside CaptureQueriesContext, and each SQL statement it ran is timed
again with EXPLAIN (ANALYZE, FORMAT JSON): its planning plus execution time, the median of
--explain-repeat runs (writes are explained inside a transaction that is rolled back).
"SQL ms" is the sum over the page's statements; "server / SQL" is the median server time
over it (target <= 2.5). A public page is served to visitors from the whole-page cache
(toolkit.public_pages): its server time is the cached page's, "rendered ms" the same page
rendered afresh (cache off), and its SQL the statements a rendering runs. With two
databases (given in either order; the one with fewer products is the base) both are
measured in the same run, each on a connection of its own, their requests alternating one
by one so both see the same load on the machine;
"x volume" is the page's median at the larger over its median at the smaller (target
<= 1.3). --plans prints the EXPLAIN ANALYZE of each page's slowest statement.

Pages that answer anything but 200 are listed with their status and not timed. Besides
the generated registry, the script writes what the pages need and generate.py does not:
the bench's people (an officer and centre staff with TOTP, a student, an entrepreneur who
joins one generated enterprise, which has applied), a programme with four intakes and
applications from 40 % of the enterprises, and report jobs. It writes them once; a
second run reuses them. DEBUG is off while timing. The cache is the database's
(CACHE_URL is ignored), so two databases never share cached figures.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The database cache lives in each database: switching databases switches caches too.
os.environ.pop("CACHE_URL", None)
# The engine comes from the first database named on the command line.
for _arg in sys.argv[1:]:
    if _arg.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = _arg
        break

import dj_database_url  # noqa: E402
import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.utils import encrypt  # noqa: E402
from dashboard import signed_in_client  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import DatabaseError, connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from generate import GENERATOR_EMAIL  # noqa: E402
from run import bench_officer, database, machine  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from entrepreneurs.models import Enterprise, Member, MemberRole  # noqa: E402
from products.models import Category, Product, ProductStatus, UpgradeRecord  # noqa: E402
from programmes.models import (  # noqa: E402
    Enrolment,
    EnrolmentStatus,
    Intake,
    Programme,
    ProgrammeStatus,
)
from reports.models import JobStatus, ReportFormat, ReportJob  # noqa: E402
from toolkit.thaidates import fiscal_year  # noqa: E402

DECLARE = re.compile(r"\s*DECLARE\s.*?\sCURSOR\s+WITH(?:OUT)?\s+HOLD\s+FOR\s+(.*)\Z", re.S | re.I)
SQL_RATIO_TARGET = 2.5
VOLUME_RATIO_TARGET = 1.3
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STAFF_EMAIL = "bench.staff@bench.invalid"
STUDENT_EMAIL = "bench.student@bench.invalid"
OWNER_EMAIL = "bench.owner@bench.invalid"
PROGRAMME_TITLE = "โครงการยกระดับเซรามิก (bench)"
APPLICATIONS_PER_ENTERPRISE = 0.4
REPORT_JOBS = 40
STATES = [
    (EnrolmentStatus.SUBMITTED, 45),
    (EnrolmentStatus.UNDER_REVIEW, 15),
    (EnrolmentStatus.ACCEPTED, 15),
    (EnrolmentStatus.WAITLISTED, 5),
    (EnrolmentStatus.REJECTED, 10),
    (EnrolmentStatus.WITHDRAWN, 5),
    (EnrolmentStatus.ACTIVE, 5),
]


# --- The pages ---------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    who: str  # officer, staff, student, owner or public
    url: object  # a URL name, or a function of the Fixtures giving the path
    params: dict = field(default_factory=dict)

    def path(self, fixtures):
        return self.url(fixtures) if callable(self.url) else reverse(self.url)

    def shown(self):
        query = "&".join(f"{key}={value}" for key, value in self.params.items())
        return f"{self.key} `?{query}`" if query else self.key


def floors(role, who):
    """The role's two yardsticks (bench/floor_urls.py): a request with no page, an empty page."""
    return [
        Page(f"{role}: floor, no page", who, "bench_floor_nothing"),
        Page(f"{role}: floor, empty page", who, "bench_floor_empty_page"),
    ]


def pages(tableware):
    enterprises = "entrepreneurs:enterprise_list"
    products = "products:product_list"
    queue = "programmes:review_queue"
    showcase = "showcase:index"
    return [
        Page("officer: enterprises", "officer", enterprises),
        Page("officer: enterprises, Lampang", "officer", enterprises, {"province": "52"}),
        Page("officer: enterprises, search", "officer", enterprises, {"q": "เกาะคา"}),
        Page(
            "officer: enterprises, verified+upgraded",
            "officer",
            enterprises,
            {"status": "verified", "upgrades": "yes"},
        ),
        Page("officer: enterprises, newest", "officer", enterprises, {"sort": "-created"}),
        Page("officer: enterprises, by district", "officer", enterprises, {"sort": "district"}),
        Page("officer: enterprises, page 500", "officer", enterprises, {"page": 500}),
        Page("officer: products", "officer", products),
        Page("officer: products, Lampang", "officer", products, {"province": "52"}),
        Page(
            "officer: products, tableware 3+ stars",
            "officer",
            products,
            {"category": tableware, "stars": 3},
        ),
        Page("officer: products, upgraded in design", "officer", products, {"area": "design"}),
        Page("officer: products, search", "officer", products, {"q": "เกาะคา"}),
        Page("officer: products, search Z-A", "officer", products, {"q": "ชาม", "sort": "-name"}),
        Page(
            "officer: products, price high-low",
            "officer",
            products,
            {"status": "published", "sort": "-price"},
        ),
        Page("officer: products, page 500", "officer", products, {"page": 500}),
        Page("officer: review queue", "officer", queue),
        Page("officer: review queue, every state", "officer", queue, {"status": "all"}),
        Page("officer: review queue, Lampang", "officer", queue, {"province": "52"}),
        Page("officer: review queue, by enterprise", "officer", queue, {"sort": "enterprise"}),
        Page(
            "officer: review queue, intake",
            "officer",
            lambda f: reverse(queue),
            {"intake": "{intake}"},
        ),
        Page("officer: review queue, page 40", "officer", queue, {"page": 40}),
        *floors("officer", "officer"),
        Page("officer: home", "officer", "home"),
        Page(
            "officer: programme dashboard",
            "officer",
            lambda f: reverse("programmes:dashboard", args=[f.programme_pk]),
        ),
        Page("officer: report jobs", "officer", "reports:job_list"),
        *floors("entrepreneur", "owner"),
        Page("entrepreneur: home", "owner", "home"),
        *floors("student", "student"),
        Page("student: home", "student", "home"),
        *floors("centre staff", "staff"),
        Page("centre staff: home", "staff", "home"),
        *floors("public", "public"),
        Page("public: landing", "public", "home"),
        Page("public: programmes", "public", "programmes:programme_list"),
        Page("public: showcase", "public", showcase),
        Page("public: showcase, tableware", "public", showcase, {"category": "tableware"}),
        Page("public: showcase, district", "public", showcase, {"district": "5203"}),
        Page("public: showcase, upgraded", "public", showcase, {"upgraded": "true"}),
        Page("public: showcase, search", "public", showcase, {"q": "เกาะคา"}),
        Page("public: showcase, search ชาม", "public", showcase, {"q": "ชาม"}),
        Page("public: showcase, page 500", "public", showcase, {"page": 500}),
        Page(
            "public: showcase product",
            "public",
            lambda f: reverse("showcase:product", args=[f.showcase_product_pk]),
        ),
    ]


# --- What the pages need ------------------------------------------------------------------


@dataclass
class Fixtures:
    programme_pk: int
    intake_pk: int
    showcase_product_pk: int
    people: dict


def person(email, role, *, totp=False):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": f"Bench {role}", "role": role, "language": "th"}
    )
    if created and totp:
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(TOTP_SECRET)}
        )
    return user


def ensure_fixtures():
    """The people, programme, applications and report jobs, written once per database."""
    officer = bench_officer()
    people = {
        "officer": officer,
        "staff": person(STAFF_EMAIL, Role.CENTRE_STAFF, totp=True),
        "student": person(STUDENT_EMAIL, Role.STUDENT),
        "owner": person(OWNER_EMAIL, Role.ENTREPRENEUR),
    }
    owner = people["owner"]
    if not Member.objects.filter(user=owner).exists():
        # The last generated enterprise: any one will do, the same one at every volume.
        enterprise = (
            Enterprise.objects.filter(created_by__email=GENERATOR_EMAIL).order_by("-pk").first()
        )
        Member.objects.create(
            enterprise=enterprise, user=owner, full_name="Bench owner", role=MemberRole.PRESIDENT
        )
    programme = Programme.objects.filter(title_th=PROGRAMME_TITLE).first()
    if programme is None:
        programme = write_programme(officer)
    # The entrepreneur's enterprise has applied at every volume, so their home shows the
    # same lists (and runs the same queries) in every database.
    enterprise = Member.objects.get(user=owner).enterprise
    if not Enrolment.objects.filter(enterprise=enterprise).exists():
        now = timezone.now()
        application = Enrolment.objects.create(
            intake=programme.intakes.order_by("pk").first(),
            enterprise=enterprise,
            status=EnrolmentStatus.SUBMITTED,
            submitted_at=now,
            created_by=owner,
            created_at=now,
        )
        application.products.set(enterprise.products.order_by("pk")[:2])
    if not ReportJob.objects.filter(requested_by=officer).exists():
        write_report_jobs(officer)
    showcase_product = Product.objects.on_showcase().order_by("-pk").first()
    return Fixtures(
        programme_pk=programme.pk,
        intake_pk=programme.intakes.order_by("pk").first().pk,
        showcase_product_pk=showcase_product.pk if showcase_product else 0,
        people=people,
    )


@transaction.atomic
def write_programme(officer):
    rng = random.Random(2569)
    now = timezone.now()
    programme = Programme.objects.create(
        title_th=PROGRAMME_TITLE,
        title_en="Ceramic upgrading (bench)",
        fiscal_year=fiscal_year(now),
        status=ProgrammeStatus.ACTIVE,
        target_enterprises=1000,
        target_design=500,
        target_standards=500,
        target_usability=300,
        target_innovation=200,
        created_by=officer,
    )
    intakes = [
        Intake.objects.create(
            programme=programme,
            name_th=f"รอบที่ {n}",
            name_en=f"Round {n}",
            opens_at=now - dt.timedelta(days=90 - 20 * n),
            closes_at=now + dt.timedelta(days=10 * n),
            capacity=1_000_000,
            verified_only=False,
        )
        for n in range(1, 5)
    ]
    enterprise_pks = list(
        Enterprise.objects.filter(created_by__email=GENERATOR_EMAIL).values_list("pk", flat=True)
    )
    chosen = rng.sample(enterprise_pks, round(len(enterprise_pks) * APPLICATIONS_PER_ENTERPRISE))
    states = [state for state, _weight in STATES]
    weights = [weight for _state, weight in STATES]
    rows = []
    for pk in chosen:
        submitted = now - dt.timedelta(minutes=rng.randint(60, 60 * 24 * 80))
        state = rng.choices(states, weights)[0]
        decided = state not in (EnrolmentStatus.SUBMITTED, EnrolmentStatus.UNDER_REVIEW)
        rows.append(
            Enrolment(
                intake=rng.choice(intakes),
                enterprise_id=pk,
                status=state,
                submitted_at=submitted,
                decided_at=submitted + dt.timedelta(days=3) if decided else None,
                created_by=officer,
                created_at=submitted,
            )
        )
    Enrolment.objects.bulk_create(rows, batch_size=5000)
    # One or two of the enterprise's products with each application.
    by_enterprise = {}
    for enterprise_id, product_id in Product.objects.filter(enterprise_id__in=chosen).values_list(
        "enterprise_id", "pk"
    ):
        by_enterprise.setdefault(enterprise_id, []).append(product_id)
    through = Enrolment.products.through
    links = [
        through(enrolment_id=enrolment.pk, product_id=product_id)
        for enrolment in Enrolment.objects.filter(intake__programme=programme).only(
            "pk", "enterprise_id"
        )
        for product_id in by_enterprise.get(enrolment.enterprise_id, [])[:2]
    ]
    through.objects.bulk_create(links, batch_size=5000)
    print(f"  wrote a programme with {len(rows):,} applications", file=sys.stderr)
    return programme


def write_report_jobs(officer):
    now = timezone.now()
    ReportJob.objects.bulk_create(
        ReportJob(
            report=("enrolments", "enterprises", "upgrades")[n % 3],
            format=ReportFormat.XLSX,
            request_key=f"bench-{n}",
            status=JobStatus.EXPIRED if n < REPORT_JOBS - 5 else JobStatus.FAILED,
            requested_by=officer,
            requested_at=now - dt.timedelta(hours=n),
            finished_at=now - dt.timedelta(hours=n),
        )
        for n in range(REPORT_JOBS)
    )


# --- Measuring ---------------------------------------------------------------------------


def nearest_rank(ordered, fraction):
    return ordered[math.ceil(fraction * len(ordered)) - 1]


def explain(sql, repeat):
    """(planning + execution ms, median of `repeat` runs; None if it could not be explained)."""
    # A server-side cursor (QuerySet.iterator(), e.g. a form's choices) shows as its
    # DECLARE; the rows are fetched later, uncaptured: explain the query it declares.
    declared = DECLARE.match(sql)
    if declared:
        sql = declared.group(1)
    kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if kind not in ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"):
        return None
    runs = []
    for _ in range(repeat):
        try:
            # A write is explained (so run) in a transaction that is then rolled back.
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                transaction.set_rollback(True)
        except DatabaseError:
            return None
        if isinstance(plan, str):
            plan = json.loads(plan)
        runs.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
    return statistics.median(runs)


def plan_text(sql):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            rows = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return "\n".join(rows)


class Breakdown:
    """Where one request's time goes: ORM compiling SQL, waiting on the database, templates.

    Times SQLCompiler.as_sql and Template.render, and the connection's executes (through
    django.db's execute_wrapper), while a request runs. Each part counts its own time
    only: a query compiled and run while a template renders counts as ORM and database,
    not as template.
    """

    def __init__(self):
        self.totals = {"orm": 0.0, "db": 0.0, "template": 0.0}
        self.stack = []  # [kind, started] of the parts running, innermost last

    def _enter(self, kind):
        now = time.perf_counter()
        if self.stack:
            outer = self.stack[-1]
            self.totals[outer[0]] += now - outer[1]
        self.stack.append([kind, now])

    def _leave(self):
        now = time.perf_counter()
        kind, started = self.stack.pop()
        self.totals[kind] += now - started
        if self.stack:
            self.stack[-1][1] = now

    def _timed(self, kind, method):
        def wrapper(*args, **kwargs):
            self._enter(kind)
            try:
                return method(*args, **kwargs)
            finally:
                self._leave()

        return wrapper

    def request(self, client, path, params):
        """The breakdown of one request, in ms."""
        from django.db.models.sql.compiler import SQLCompiler
        from django.template.base import Template

        patched = [(SQLCompiler, "as_sql", "orm"), (Template, "render", "template")]
        originals = [(owner, name, getattr(owner, name)) for owner, name, _kind in patched]
        for owner, name, kind in patched:
            setattr(owner, name, self._timed(kind, getattr(owner, name)))
        try:
            # An execute wrapper is called as wrapper(execute, sql, params, many, context).
            with connection.execute_wrapper(
                self._timed("db", lambda execute, *call: execute(*call))
            ):
                client.get(path, params)
        finally:
            for owner, name, original in originals:
                setattr(owner, name, original)
        return {kind: seconds * 1000 for kind, seconds in self.totals.items()}


def breakdown(client, path, params, runs=5):
    """The median of each part over a few requests."""
    samples = [Breakdown().request(client, path, params) for _ in range(runs)]
    return {kind: statistics.median(sample[kind] for sample in samples) for kind in samples[0]}


def measure(page, runs, *, repeat, explain_repeat, plans):
    """Time one page on every database, request by request in turn; then its SQL on each."""
    live = []
    for run in runs:
        use(run)
        fixtures = run["fixtures"]
        params = {
            key: str(value).format(intake=fixtures.intake_pk) for key, value in page.params.items()
        }
        request = (run["clients"][page.who], page.path(fixtures), params)
        response = request[0].get(request[1], params)
        if response.status_code != 200:
            run["pages"][page.key] = {
                "status": response.status_code,
                "location": response.get("Location", ""),
            }
            continue
        for _ in range(2):
            request[0].get(request[1], params)
        live.append((run, request, [], set()))
    # Alternating the databases request by request gives both the same load on the machine.
    for _ in range(repeat):
        for run, (client, path, params), times, statuses in live:
            use(run)
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
    rendered = {}
    if page.who == "public":
        # Served from the whole-page cache above (toolkit.public_pages); the same page
        # rendered afresh, timed the same way, for the table's "rendered" column.
        with override_settings(PUBLIC_PAGE_SECONDS=0):
            for _ in range(repeat):
                for run, (client, path, params), _times, _statuses in live:
                    use(run)
                    started = time.perf_counter()
                    client.get(path, params)
                    rendered.setdefault(id(run), []).append((time.perf_counter() - started) * 1000)
    for run, (client, path, params), times, statuses in live:
        use(run)
        # The SQL the page runs when it is rendered: a public page's cached copy runs only
        # the cache's reads, which would say nothing about the page.
        with (
            override_settings(PUBLIC_PAGE_SECONDS=0),
            CaptureQueriesContext(connection) as captured,
        ):
            client.get(path, params)
        timed = [(explain(query["sql"], explain_repeat), query["sql"]) for query in captured]
        explained = [(ms, sql) for ms, sql in timed if ms is not None]
        ordered = sorted(times)
        result = {
            "status": 200 if statuses == {200} else sorted(statuses),
            "median_ms": statistics.median(ordered),
            "p95_ms": nearest_rank(ordered, 0.95),
            "sql_ms": sum(ms for ms, _sql in explained),
            "queries": len(captured),
            "not_explained": len(timed) - len(explained),
        }
        if id(run) in rendered:
            result["rendered_ms"] = statistics.median(rendered[id(run)])
        else:
            result["breakdown_ms"] = breakdown(client, path, params)
        if explained:
            slowest_ms, slowest_sql = max(explained)
            result["slowest_ms"] = slowest_ms
            result["slowest_sql"] = slowest_sql
            if plans:
                result["slowest_plan"] = plan_text(slowest_sql)
        run["pages"][page.key] = result


def open_database(url):
    """A connection of its own to the database at url (same engine and options as default)."""
    target = dj_database_url.parse(url)
    settings_dict = {**connections["default"].settings_dict}
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        settings_dict[key] = target[key]
    wrapper = connections["default"].__class__(settings_dict, alias="default")
    return wrapper


def use(run):
    """Make the run's database the default one: views, sessions and cache all follow."""
    connections["default"] = run["connection"]


def volume():
    return {
        "enterprises": Enterprise.objects.count(),
        "products": Product.objects.count(),
        "published": Product.objects.filter(status=ProductStatus.PUBLISHED).count(),
        "upgrades": UpgradeRecord.objects.count(),
        "applications": Enrolment.objects.count(),
        "database": database(),
    }


def prepare(url):
    """Open the database, write what the pages need, sign the cast in."""
    run = {"url": url, "connection": open_database(url), "pages": {}}
    use(run)
    if not Enterprise.objects.filter(created_by__email=GENERATOR_EMAIL).exists():
        raise SystemExit(
            f"No generated data in {connection.settings_dict['NAME']}: run bench/generate.py first."
        )
    fixtures = ensure_fixtures()
    clients = {"public": Client()}
    for who, user in fixtures.people.items():
        has_totp = Authenticator.objects.filter(user=user, type="totp").exists()
        if has_totp:
            clients[who] = signed_in_client(user)
        else:
            clients[who] = Client()
            clients[who].force_login(user)
    run |= {
        "name": connection.settings_dict["NAME"],
        "fixtures": fixtures,
        "clients": clients,
        "volume": volume(),
    }
    return run


# --- Reporting ---------------------------------------------------------------------------


def verdict(value, target):
    if value is None:
        return "–"
    return f"{value:.2f}" if value <= target else f"**{value:.2f}** ✗"


def _ms(value):
    return "" if value is None else f"{value:.0f}"


def print_table(runs, page_list, plans):
    large = max(runs, key=lambda run: run["volume"]["products"])
    small = min(runs, key=lambda run: run["volume"]["products"])
    both = large is not small
    for run in sorted(runs, key=lambda run: run["volume"]["products"]):
        v = run["volume"]
        print(
            f"- {run['name']}: {v['enterprises']:,} enterprises, {v['products']:,} products "
            f"({v['published']:,} published), {v['upgrades']:,} upgrade records, "
            f"{v['applications']:,} applications; {v['database']}"
        )
    print()
    header = (
        "| page | server median ms | p95 ms | rendered ms | SQL ms | other ms | server / SQL "
        "| queries |"
    )
    rule = "|---|--:|--:|--:|--:|--:|--:|--:|"
    if both:
        header += f" median at {small['volume']['products']:,} | x volume |"
        rule += "--:|--:|"
    print(f"At {large['volume']['products']:,} products ({large['name']}):")
    print()
    print(header)
    print(rule)
    missed = {"sql": [], "volume": [], "status": []}
    for page in page_list:
        result = large["pages"].get(page.key)
        base = small["pages"].get(page.key) if both else None
        if result is None:
            continue
        if "median_ms" not in result:
            missed["status"].append(page.key)
            where = f" → {result['location']}" if result.get("location") else ""
            print(
                f"| {page.shown()} | answered {result['status']}{where} | | | | | | |"
                + (" | |" if both else "")
            )
            continue
        sql_ratio = result["median_ms"] / result["sql_ms"] if result["sql_ms"] else None
        floor = FLOOR in page.key  # a yardstick, not a page of the portal
        if (sql_ratio is None or sql_ratio > SQL_RATIO_TARGET) and not floor:
            missed["sql"].append(page.key)
        row = (
            f"| {page.shown()} | {result['median_ms']:.0f} | {result['p95_ms']:.0f} | "
            f"{_ms(result.get('rendered_ms'))} | {result['sql_ms']:.1f} | "
            f"{result['median_ms'] - result['sql_ms']:.0f} | "
            f"{verdict(sql_ratio, SQL_RATIO_TARGET)} | {result['queries']} |"
        )
        if both:
            if base and "median_ms" in base:
                scale = result["median_ms"] / base["median_ms"]
                if scale > VOLUME_RATIO_TARGET and not floor:
                    missed["volume"].append(page.key)
                row += f" {base['median_ms']:.0f} | {verdict(scale, VOLUME_RATIO_TARGET)} |"
            else:
                status = base["status"] if base else "not measured"
                row += f" {status} | – |"
        print(row, flush=True)
    if both:
        print()
        print(f"At {small['volume']['products']:,} products ({small['name']}):")
        print()
        print("| page | server median ms | SQL ms | server / SQL | queries |")
        print("|---|--:|--:|--:|--:|")
        for page in page_list:
            result = small["pages"].get(page.key)
            if not result or "median_ms" not in result:
                continue
            ratio = result["median_ms"] / result["sql_ms"] if result["sql_ms"] else None
            print(
                f"| {page.key} | {result['median_ms']:.0f} | {result['sql_ms']:.1f} | "
                f"{verdict(ratio, SQL_RATIO_TARGET)} | {result['queries']} |"
            )
    print()
    print(
        f"- server / SQL over {SQL_RATIO_TARGET} ({len(missed['sql'])}): "
        + (", ".join(missed["sql"]) or "none")
    )
    if both:
        print(
            f"- x volume over {VOLUME_RATIO_TARGET} ({len(missed['volume'])}): "
            + (", ".join(missed["volume"]) or "none")
        )
    if missed["status"]:
        print(f"- not 200 ({len(missed['status'])}): " + ", ".join(missed["status"]))
    print_floors(large, page_list)
    print_breakdown(large, page_list)
    if plans:
        print()
        for page in page_list:
            result = large["pages"].get(page.key, {})
            if "slowest_plan" not in result:
                continue
            print(f"#### {page.key}: slowest statement, {result['slowest_ms']:.1f} ms")
            print()
            print("```sql")
            print(result["slowest_sql"][:2000])
            print("```")
            print("```")
            print(result["slowest_plan"])
            print("```")
            print()
    return missed


FLOOR = ": floor, "


def print_floors(run, page_list):
    """Each role's floor, and the pages whose target (2.5 x their SQL) lies below it.

    No page can be served faster than the empty page of its role (bench/floor_urls.py):
    where 2.5 x a page's SQL is less than that, the target is out of reach of any page
    rendered with the portal's navigation, however little work the page itself does.
    """
    floors = {}
    for page in page_list:
        result = run["pages"].get(page.key, {})
        if FLOOR in page.key and "median_ms" in result:
            floors.setdefault(page.who, {})[page.key.split(FLOOR)[1]] = result["median_ms"]
    for who, floor in floors.items():
        if "empty page" not in floor:
            continue
        below = [
            page.key
            for page in page_list
            if page.who == who
            and FLOOR not in page.key
            and "median_ms" in run["pages"].get(page.key, {})
            and "rendered_ms" not in run["pages"][page.key]
            and run["pages"][page.key]["sql_ms"] * SQL_RATIO_TARGET < floor["empty page"]
        ]
        print(
            f"- {who}: floor {floor.get('no page', 0):.1f} ms with no page, "
            f"{floor['empty page']:.1f} ms for an empty page; {SQL_RATIO_TARGET} x SQL is "
            f"below the empty page for {len(below)}: " + (", ".join(below) or "none")
        )


def print_breakdown(run, page_list):
    """Where a signed-in page's time goes (Breakdown), beside its SQL's own time."""
    rows = [
        (page, run["pages"][page.key])
        for page in page_list
        if "breakdown_ms" in run["pages"].get(page.key, {})
    ]
    if not rows:
        return
    print()
    print(
        f"Where the signed-in pages' time goes at {run['volume']['products']:,} products "
        "(median of 5 requests each; ORM: Django compiling the SQL; database: waiting on "
        "executes, round trips included; templates: rendering, the role's navigation "
        "included; SQL: planning + execution by EXPLAIN ANALYZE):"
    )
    print()
    print("| page | server ms | ORM ms | database ms | templates ms | rest ms | SQL ms |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for page, result in rows:
        parts = result["breakdown_ms"]
        rest = result["median_ms"] - sum(parts.values())
        print(
            f"| {page.key} | {result['median_ms']:.1f} | {parts['orm']:.1f} | "
            f"{parts['db']:.1f} | {parts['template']:.1f} | {rest:.1f} | "
            f"{result['sql_ms']:.1f} |"
        )


def saved(run):
    return {key: run[key] for key in ("url", "name", "volume", "pages")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="*", help="database URLs (default DATABASE_URL)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain-repeat", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print each page's slowest plan")
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument("--json", help="write this run's results to this file")
    parser.add_argument("--baseline", help="compare with the results an earlier --json wrote")
    args = parser.parse_args(argv)

    urls = args.databases or [os.environ.get("DATABASE_URL", "")]
    if not all(url.startswith(("postgres://", "postgresql://")) for url in urls):
        parser.error("give PostgreSQL database URLs (EXPLAIN ANALYZE is PostgreSQL's)")
    settings.DEBUG = False
    # The portal's URLs and the two floor pages (bench/floor_urls.py).
    settings.ROOT_URLCONF = "floor_urls"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    started = time.monotonic()
    runs = [prepare(url) for url in urls]
    tableware = Category.objects.get(code="tableware").pk
    page_list = [p for p in pages(tableware) if not args.only or args.only in p.key]
    print(f"- machine: {machine()}")
    print(
        f"- {args.repeat} timed requests per page after 3 warm-up requests (median, p95); "
        f"SQL: the page's statements each under EXPLAIN (ANALYZE, FORMAT JSON), planning + "
        f"execution, median of {args.explain_repeat}; targets: server / SQL <= "
        f"{SQL_RATIO_TARGET}, x volume <= {VOLUME_RATIO_TARGET}"
    )
    for page in page_list:
        try:
            measure(
                page,
                runs,
                repeat=args.repeat,
                explain_repeat=args.explain_repeat,
                plans=args.plans,
            )
        except Exception as error:  # noqa: BLE001 - a broken page is reported, not fatal
            for run in runs:
                if "median_ms" not in run["pages"].get(page.key, {}):
                    run["pages"][page.key] = {"status": f"{type(error).__name__}: {error}"[:200]}
        print(f"  measured {page.key}", file=sys.stderr, flush=True)
    if args.json:
        Path(args.json).write_text(
            json.dumps([saved(run) for run in runs], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    if args.baseline:
        runs += json.loads(Path(args.baseline).read_text(encoding="utf-8"))
    print(f"- run took {time.monotonic() - started:.0f} s")
    print()
    missed = print_table(runs, page_list, args.plans)
    return 1 if any(missed.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
