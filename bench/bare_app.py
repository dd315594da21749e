"""The framework's ceiling for bench/stock.py: a Litestar endpoint that only validates a movement body."""

from litestar import Litestar, post

from salespoints.schemas import MovementIn


@post("/api/v1/salespoints/{point_id:int}/movements")
async def validate_only(point_id: int, data: MovementIn) -> dict:
    return {"movement_ids": [point_id], "balances": [data.quantity], "replayed": False}


app = Litestar(route_handlers=[validate_only])
