"""Courses, runs and sessions for the tests of the course pages."""

from datetime import timedelta

import factory
from django.utils import timezone

from training.models import Course, CourseRun, CourseSession, RunStatus


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title_th = factory.Sequence(lambda n: f"การใช้เตาเผาไฟฟ้า {n + 1}")
    title_en = factory.Sequence(lambda n: f"Electric kiln operation {n + 1}")
    description_th = "ฝึกการเผาเตาไฟฟ้าอย่างปลอดภัย"
    audience = factory.LazyFunction(lambda: ["student", "faculty"])
    hours = 12
    attendance_required = 80
    is_published = True


class CourseRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseRun
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"รุ่นที่ {n + 1}/2570")
    capacity = 10
    status = RunStatus.OPEN
    enrol_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    enrol_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class CourseSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseSession

    run = factory.SubFactory(CourseRunFactory)
    title = "ความปลอดภัยของเตาเผา"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    place = "ห้อง 201 อาคารเรียนรวม"
