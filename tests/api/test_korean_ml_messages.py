"""The models' and the jobs' messages in Korean: a refusal made of an English template and its
fields is said in Korean with the real numbers filled in, while its English text stays as it was.

The refusals are the real ones, met the way a learner meets them: a model file the reader in its
limited process refuses (so the template and fields cross from that process), a model Keras saved
that cannot be served, a form field that does not fit the model, and a training job stopped at
the time cap whose reason is read later, in the reader's language.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from huey.storage import MemoryStorage

from app import i18n
from app.config import Settings
from app.errors import InvalidParameter
from app.jobs.queue import JobQueue
from app.jobs.records import JobStore
from app.jobs.training import JobReporter, TrainingTooLong
from app.ml.importing import ImportLimits, read_model_file
from app.schemas.training import JobState
from tests.jobs.test_records import PROBE, Clock, queued_record
from tests.keras_files import saved, softmax_layer_rgb

pytestmark = pytest.mark.keras

KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}


def limits(max_params: int) -> ImportLimits:
    settings = Settings()
    return ImportLimits(
        max_file_bytes=settings.max_import_bytes,
        max_params=max_params,
        memory_bytes=settings.import_memory_bytes,
        cpu_seconds=settings.import_seconds,
        wall_seconds=settings.import_seconds * 1.5 + 5,
    )


def refusal(path: Path, work: Path, max_params: int = 1_000_000) -> InvalidParameter:
    work.mkdir()
    with pytest.raises(InvalidParameter) as caught:
        read_model_file(path, work, limits(max_params))
    return caught.value


def upload(client: TestClient, path: Path, headers: dict[str, str], **fields: str) -> Any:
    return client.post(
        "/api/models",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"name": "Shapes", **fields},
        headers=headers,
    )


@pytest.fixture(scope="module")
def wide_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,120 parameters (3x3x3x40 + 40) in a model Keras saved, that ends without a head."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            layers.Conv2D(40, 3, name="conv"),
            layers.GlobalAveragePooling2D(name="gap"),
        ],
        name="no_head",
    )
    return saved(model, tmp_path_factory.mktemp("wide"), ".keras")


@pytest.fixture(scope="module")
def rgb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return saved(softmax_layer_rgb(), tmp_path_factory.mktemp("rgb"), ".keras")


def test_a_model_over_the_parameter_cap_is_refused_in_korean_with_its_count(
    wide_file: Path, tmp_path: Path
) -> None:
    error = refusal(wide_file, tmp_path / "work", max_params=1_000)

    assert error.detail == (
        "The model has 1,120 parameters; ConvLens imports models of up to 1,000 (setting "
        "CONVLENS_MAX_IMPORT_PARAMS; VGG16 without its top has 14,714,688)."
    )
    assert error.localized("ko") == (
        "모델의 파라미터가 1,120개입니다. ConvLens는 파라미터가 1,000개까지인 모델을 "
        "가져옵니다(설정 CONVLENS_MAX_IMPORT_PARAMS. 최상위 층이 없는 VGG16은 14,714,688개입니다)."
    )
    assert error.localized("en") == error.detail


def test_a_keras_archive_without_its_weights_is_refused_in_korean(tmp_path: Path) -> None:
    path = tmp_path / "half.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps({"class_name": "Sequential"}))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.8.0"}))

    error = refusal(path, tmp_path / "work")

    assert error.detail == (
        "The .keras file has no model.weights.h5; a Keras 3 model file holds config.json and "
        "model.weights.h5. Save the model with model.save()."
    )
    assert error.localized("ko") == (
        ".keras 파일에 model.weights.h5가 없습니다. Keras 3 모델 파일에는 config.json과 "
        "model.weights.h5가 들어 있습니다. model.save()로 모델을 저장하세요."
    )


def test_a_layer_keras_has_but_convlens_does_not_is_named_in_korean(tmp_path: Path) -> None:
    import keras
    from keras import layers

    model = keras.Sequential(
        [keras.Input((8, 8, 1)), layers.UpSampling2D(name="bigger"), layers.Flatten()]
    )
    error = refusal(saved(model, tmp_path, ".h5"), tmp_path / "work")

    label, known = error.params["label"], error.params["known"]
    assert label == 'layers[1] "bigger" (UpSampling2D)'
    assert "Conv2D" in known and "UpSampling2D" not in known
    assert error.detail == (
        f"{label}: 'UpSampling2D' is not a layer type ConvLens reads. It reads {known}; "
        "rebuild the model with those."
    )
    assert error.localized("ko") == (
        f"{label}: 'UpSampling2D'은(는) ConvLens가 읽는 층 종류가 아닙니다. 읽는 종류: {known}. "
        "이 층들로 모델을 다시 만드세요."
    )


def test_an_import_that_cannot_be_served_answers_in_the_requests_language(
    web: TestClient, wide_file: Path
) -> None:
    english = upload(web, wide_file, {})
    korean = upload(web, wide_file, KOREAN)

    assert english.status_code == korean.status_code == 422
    assert english.json()["detail"] == (
        'The model cannot be served: its last layer "gap" (GlobalAveragePooling2D, activation '
        "None) gives neither probabilities (softmax) nor logits (a Dense layer without "
        "activation); the app reads one of those. End the model with Dense(classes) or "
        'Dense(classes, activation="softmax").'
    )
    assert korean.json()["detail"] == (
        '모델을 서비스할 수 없습니다. 마지막 층 "gap"(GlobalAveragePooling2D, 활성화 None)은(는) '
        "확률(softmax)도 로짓(활성화 없는 Dense 층)도 내지 않습니다. 앱은 둘 중 하나를 읽습니다. "
        '모델을 Dense(classes)나 Dense(classes, activation="softmax")로 끝내세요.'
    )
    assert korean.headers["content-language"] == "ko"
    assert "convlens_lang" not in web.cookies


def test_form_fields_that_do_not_fit_the_model_are_refused_in_korean(
    web: TestClient, rgb_file: Path
) -> None:
    digit = upload(web, rgb_file, KOREAN, preprocessing="digit")
    classes = upload(web, rgb_file, KOREAN, classes="cat, dog")

    assert digit.status_code == classes.status_code == 422
    assert digit.json()["detail"] == (
        "모델을 서비스할 수 없습니다. 입력 (16, 24, 3)의 채널이 3개인데, 숫자 전처리는 회색조 채널 "
        '하나를 만듭니다. 컬러 모델에는 preprocessing "image"를 사용하세요.'
    )
    assert classes.json()["detail"] == (
        "classes에 클래스 이름이 2개 있는데, 모델의 출력 값은 클래스마다 하나씩 3개입니다. "
        "이름 3개를 쉼표로 구분해 출력 순서대로 주세요."
    )


def test_a_jobs_stored_reason_is_read_in_the_readers_language(
    web: TestClient, settings: Settings, tmp_path: Path
) -> None:
    """The reason is written by the worker, outside any request; each reader gets it in theirs."""
    queue = JobQueue(settings)  # the app's own queue storage (the data folder's SQLite file)
    clock = Clock()
    record = queued_record().model_copy(update={"id": "00aa11bb22cc33dd"})
    reporter = JobReporter(queue.jobs, record, tmp_path, clock=clock, max_seconds=90)
    reporter.started(batches=4, filter_layer=None, probe=PROBE)
    clock.seconds += 91
    with pytest.raises(TrainingTooLong) as caught:
        reporter.should_stop()
    reporter.finish(JobState.failed, reason=caught.value)

    english = web.get(f"/api/jobs/{record.id}").json()
    korean = web.get(f"/api/jobs/{record.id}", headers=KOREAN).json()

    assert english["state"] == korean["state"] == "failed"
    assert english["reason"] == (
        "Training was stopped after 90 s, the most one job may take here (setting "
        "CONVLENS_MAX_TRAINING_SECONDS); what it had trained is lost. Train for fewer epochs, on "
        "fewer or smaller images, or a smaller network."
    )
    assert korean["reason"] == (
        "학습이 90초 뒤에 중단되었습니다. 여기서 작업 하나가 쓸 수 있는 최대 시간입니다(설정 "
        "CONVLENS_MAX_TRAINING_SECONDS). 학습한 내용은 사라졌습니다. 에포크를 줄이거나, 더 적거나 "
        "작은 이미지, 또는 더 작은 신경망으로 학습하세요."
    )


def test_a_stored_reason_that_no_longer_fills_in_stays_english(tmp_path: Path) -> None:
    """A record written by another version of the code (its template and fields disagree)."""
    jobs = JobStore(MemoryStorage("test"))
    record = queued_record().model_copy(
        update={
            "state": JobState.failed,
            "reason": "Old words.",
            "reason_template": "Training was stopped after {seconds:,.0f} s.",
            "reason_params": {"minutes": 2},
        }
    )
    jobs.put(record)
    stored = jobs.get(record.id)
    assert stored is not None

    token = i18n.current.set("ko")
    try:
        assert stored.status().reason == "Old words."
    finally:
        i18n.current.reset(token)


def test_a_stored_reason_with_a_message_inside_is_translated_whole(tmp_path: Path) -> None:
    """A reason whose field is a message of its own keeps that message's template too."""
    jobs = JobStore(MemoryStorage("test"))
    reporter = JobReporter(jobs, queued_record(), tmp_path)
    inner = InvalidParameter("The model's config lists no layers; the file holds no model.")
    reporter.finish(
        JobState.failed,
        reason=InvalidParameter("The model cannot be served: {reason}", reason=inner),
    )
    stored = jobs.get(queued_record().id)
    assert stored is not None

    assert stored.status().reason == (
        "The model cannot be served: The model's config lists no layers; the file holds no model."
    )
    token = i18n.current.set("ko")
    try:
        assert stored.status().reason == (
            "모델을 서비스할 수 없습니다: 모델의 config에 층이 없습니다. 파일에 모델이 없습니다."
        )
    finally:
        i18n.current.reset(token)


def test_an_imports_own_description_is_read_in_the_readers_language(
    web: TestClient, rgb_file: Path
) -> None:
    imported = upload(web, rgb_file, {})
    assert imported.status_code == 201, imported.text
    model_id, token = imported.json()["id"], imported.json()["delete_token"]
    try:
        english = web.get(f"/api/models/{model_id}").json()["description"]
        korean = web.get(f"/api/models/{model_id}", headers=KOREAN).json()["description"]
        listed = {m["id"]: m for m in web.get("/api/models", headers=KOREAN).json()}
    finally:
        web.delete(f"/api/models/{model_id}", headers={"authorization": f"Bearer {token}"})

    assert english == "Imported from a .keras file; its weights as they were uploaded."
    assert korean == ".keras 파일에서 가져온 모델입니다. 가중치는 업로드된 그대로입니다."
    assert listed[model_id]["description"] == korean


def test_an_uploaders_own_description_is_kept_as_written(web: TestClient, rgb_file: Path) -> None:
    imported = upload(web, rgb_file, {}, description="Imported from a .keras file; mine.")
    assert imported.status_code == 201, imported.text
    model_id, token = imported.json()["id"], imported.json()["delete_token"]
    try:
        korean = web.get(f"/api/models/{model_id}", headers=KOREAN).json()["description"]
    finally:
        web.delete(f"/api/models/{model_id}", headers={"authorization": f"Bearer {token}"})

    assert korean == "Imported from a .keras file; mine."
