import factory

from edu.models import Course, Lesson, Module


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    topic = "anti_fraud"
    audiences = factory.LazyFunction(lambda: ["general"])
    scam_types = factory.LazyFunction(list)
    title_zh = factory.Sequence(lambda n: f"课程{n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    status = Course.Status.PUBLISHED
    version = 1


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title_zh = "单元"
    title_en = "Unit"


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    course = factory.SelfAttribute("module.course")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title_zh = factory.Sequence(lambda n: f"第{n}课")
    title_en = factory.Sequence(lambda n: f"Lesson {n}")
    body_zh = "## 正文\n\n内容。"
    body_en = "## Text\n\nContent."
