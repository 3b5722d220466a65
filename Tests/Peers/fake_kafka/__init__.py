"""An independent fake Kafka broker for kafscope's tests (see Tests/Peers/README.md).

Every request is decoded and every response encoded by kafka-python's protocol classes (its own
JSON-schema codec), never by kafscope's generated Swift codecs, so a codec bug on either side shows up
as a failing test instead of cancelling out. Handlers live in fake_kafka/handlers/, one module per API
family, and register themselves with @handles(RequestClass).
"""
