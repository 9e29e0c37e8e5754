"""The JSON API of ``tallrx serve`` through the ASGI test client: contract fields and statuses,
results equal to the CLI's on the same file, and the safety rules (upload cap, names never paths,
token, CSRF / cross-site, Host check, queue)."""

from __future__ import annotations

import time

import pytest
from webtools import BASE, FAST_SYNERGY, make_client, wait_done

from tallrx.cli import main


@pytest.fixture(scope="module")
def served(tmp_path_factory, synergy_csv):
    """One client (2 workers) with one finished synergy run of the checkerboard."""
    tmp = tmp_path_factory.mktemp("api")
    with make_client(tmp) as client:
        with open(synergy_csv, "rb") as fh:
            r = client.post("/api/runs", data={"command": "synergy", "figures": "false",
                                               **FAST_SYNERGY},
                            files={"files": ("checkerboard.csv", fh, "text/csv")})
        assert r.status_code == 200, r.text
        run_id = r.json()["run_id"]
        yield client, run_id, wait_done(client, run_id), tmp


def test_run_contract_and_files(served):
    client, run_id, body, _ = served
    assert body["status"] == "done", body["message"]
    assert {"status", "message", "files"} <= set(body)
    assert body["elapsed_s"] > 0
    assert {"combinations.csv", "surface.csv", "median_effect.csv", "meta.json"} <= set(
        body["files"])  # --no-figures: no figures/ and no report.html
    r = client.get(f"/api/runs/{run_id}/files/meta.json")
    assert r.status_code == 200 and isinstance(r.json(), dict)
    csv = client.get(f"/api/runs/{run_id}/files/combinations.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]


def test_results_equal_the_cli_on_the_same_file(served, synergy_csv, tmp_path):
    """The oracle is the command line itself, run here in-process on the same bytes."""
    client, run_id, _, _ = served
    code = main(["synergy", str(synergy_csv), "-o", str(tmp_path / "cli"), "--n-null", "0",
                 "--n-boot", "0", "--no-figures", "--quiet"])
    assert code == 0
    for name in ("combinations.csv", "surface.csv", "median_effect.csv"):
        web = client.get(f"/api/runs/{run_id}/files/{name}").content
        cli = (tmp_path / "cli" / name).read_bytes()
        assert web == cli, name


@pytest.mark.parametrize("name", ["../meta.json", "..%2Fmeta.json", "input/checkerboard.csv",
                                  "nope.csv", "/etc/passwd"])
def test_only_listed_outputs_are_served(served, name):
    client, run_id, _, _ = served
    assert client.get(f"/api/runs/{run_id}/files/{name}").status_code == 404


def test_unknown_run_and_bad_ids_are_404(served):
    client = served[0]
    assert client.get("/api/runs/0123456789ab").status_code == 404
    assert client.get("/api/runs/..").status_code == 404


def test_uploaded_names_never_become_paths(served, synergy_csv):
    client, _, _, tmp = served
    data = synergy_csv.read_bytes()
    r = client.post("/api/runs", data={"command": "synergy", "figures": "false", **FAST_SYNERGY},
                    files={"files": ("../../../escape.csv", data, "text/csv")})
    run_id = r.json()["run_id"]
    body = wait_done(client, run_id)
    assert body["inputs"] == ["escape.csv"]
    assert body["status"] == "done", body["message"]
    assert [p.parent.name for p in tmp.rglob("escape.csv")] == ["input"]


@pytest.mark.parametrize("data, files, pattern", [
    ({"command": "bogus"}, None, "command must be one of"),
    ({"command": "synergy", "nonsense": "1"}, "x.csv", "not an option of 'tallrx synergy'"),
    ({"command": "synergy", "db": "sqlite:///x.db"}, "x.csv", "not an option"),
    ({"command": "screen"}, "x.csv", "exactly one 'layout'"),
    ({"command": "synergy"}, None, "at least one input file"),
    ({"command": "synergy", "figures": "maybe"}, "x.csv", "expected true or false"),
])
def test_bad_requests_are_400_with_a_reason(served, data, files, pattern):
    client = served[0]
    up = {"files": (files, b"a,b\n1,2\n", "text/csv")} if files else None
    r = client.post("/api/runs", data=data, files=up)
    assert r.status_code == 400 and pattern in r.json()["error"]


def test_a_failing_run_reports_the_cli_error(served):
    client = served[0]
    r = client.post("/api/runs", data={"command": "synergy"},
                    files={"files": ("empty.csv", b"", "text/csv")})
    body = wait_done(client, r.json()["run_id"])
    assert body["status"] == "failed"
    assert body["message"].startswith("tallrx: error:") and "empty" in body["message"]
    assert body["files"] == []


def test_upload_cap_is_413(tmp_path):
    with make_client(tmp_path, max_upload_mb=0.01) as client:  # 10 kB
        big = b"x" * 20_000
        r = client.post("/api/runs", data={"command": "synergy"},
                        files={"files": ("big.csv", big, "text/csv")})
        assert r.status_code == 413 and "--max-upload-mb" in r.text

        def chunks():  # no Content-Length: the cap is enforced while the body streams
            yield b"--b\r\nContent-Disposition: form-data; name=\"command\"\r\n\r\nfit\r\n"
            for _ in range(10):
                yield b"y" * 4000

        r = client.post("/api/runs", content=chunks(),
                        headers={"content-type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413


def test_token_is_required_on_every_request(tmp_path):
    with make_client(tmp_path, token="s3cret", loopback_only=False) as client:
        assert client.get("/").status_code == 401
        assert client.get("/api/runs/0123456789ab").status_code == 401
        assert client.get("/static/style.css").status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/", headers={"X-Tallrx-Token": "s3cret"}).status_code == 200
        client.cookies.clear()
        assert client.get("/runs").status_code == 401
        r = client.get("/?token=s3cret")  # a browser: the token moves into a cookie
        assert r.status_code == 200 and "tallrx_token" in r.cookies
        assert client.get("/runs").status_code == 200  # the cookie now carries it


def test_host_header_must_be_loopback_when_serving_locally(served):
    client = served[0]
    assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_forms_need_the_csrf_token_and_cross_site_posts_are_refused(served, synergy_csv):
    client = served[0]
    page = client.get("/")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert token == client.cookies["tallrx_csrf"]
    up = {"files": ("c.csv", synergy_csv.read_bytes(), "text/csv")}
    r = client.post("/runs", data={"command": "synergy", "csrf": "forged"}, files=up)
    assert r.status_code == 403
    r = client.post("/api/runs", data={"command": "synergy"}, files=up,
                    headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/runs", data={"command": "synergy", "csrf": token, "figures": "false",
                                   **FAST_SYNERGY}, files=up, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/runs/")
    assert wait_done(client, r.headers["location"].split("/")[-1])["status"] == "done"


def test_at_most_jobs_runs_at_once_the_rest_queued(tmp_path, synergy_csv):
    data = synergy_csv.read_bytes()
    with make_client(tmp_path, jobs=1) as client:
        ids = [client.post("/api/runs", data={"command": "synergy", "figures": "false",
                                              **FAST_SYNERGY},
                           files={"files": ("c.csv", data, "text/csv")}).json()["run_id"]
               for _ in range(2)]
        seen = []
        end = time.monotonic() + 120
        while time.monotonic() < end:
            states = [client.get(f"/api/runs/{i}").json()["status"] for i in ids]
            seen.append(states)
            assert states.count("running") <= 1
            if all(s == "done" for s in states):
                break
            time.sleep(0.2)
        assert seen[-1] == ["done", "done"]
        assert any(s == ["running", "queued"] for s in seen)


def test_runs_are_recorded_in_the_store_and_listed(tmp_path, synergy_csv):
    db = f"sqlite:///{tmp_path / 'runs.db'}"
    with make_client(tmp_path, db=db) as client:
        r = client.post("/api/runs", data={"command": "synergy", "figures": "false",
                                           **FAST_SYNERGY},
                        files={"files": ("c.csv", synergy_csv.read_bytes(), "text/csv")})
        body = wait_done(client, r.json()["run_id"])
        assert body["status"] == "done" and body["store_run"]
        page = client.get("/runs", params={"command": "synergy"})
        assert page.status_code == 200
        assert page.text.count("<td>store</td>") == 1 and page.text.count("<td>server</td>") == 1
        assert client.get("/runs", params={"command": "screen"}).text.count("<td>store</td>") == 0
    from tallrx import store

    with store.open(db) as st:
        assert st.runs()["command"].tolist() == ["synergy"]


def test_pages_reference_no_outside_host(served):
    client = served[0]
    for url in ("/", "/runs", "/model", "/static/app.js", "/static/style.css"):
        text = client.get(url).text
        assert "http://" not in text and "https://" not in text and 'src="//' not in text, url


def test_serve_refuses_a_public_address_without_a_token(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "needs --token" in capsys.readouterr().err


def test_base_is_loopback():
    assert BASE.startswith("http://127.0.0.1")


def test_form_fields_become_the_commands_own_options():
    """Hand-written expectations from `tallrx screen --help` / `tallrx synergy --help`."""
    from tallrx.errors import InputError
    from tallrx.web.options import to_argv

    assert to_argv("screen", [("window", "0.1, 10"), ("keep-outliers", "on"), ("n_boot", "50"),
                              ("unit", "")]) == ["--window", "0.1", "10", "--keep-outliers",
                                                 "--n-boot=50"]
    assert to_argv("synergy", [("figures", "false"), ("response", "inhibition")]) == [
        "--no-figures", "--response=inhibition"]
    with pytest.raises(InputError, match="expected 2 values"):
        to_argv("screen", [("window", "0.1")])
    with pytest.raises(InputError, match="may not start with '--'"):
        to_argv("screen", [("window", "--db x")])


def test_what_if_page_reports_a_bad_genotype(served):
    client = served[0]
    r = client.get("/model", params={"genotype": "NRAS_G13X", "drug1": "prednisolone"})
    assert r.status_code == 400 and "NRAS_G13X" in r.text
    form = client.get("/model")
    assert form.status_code == 200 and 'id="genotype"' in form.text and 'id="timecourse"' \
        not in form.text
